/** OpenID Connect: discovery, authorization codes, and with them the hosted login and the token endpoint. */
import { AuthorizationCodeRepository } from '../adapters/authorization-code-repository.ts';
import { LoginTransactionRepository } from '../adapters/login-transaction-repository.ts';
import { config } from '../config.ts';
import { AuthorizationCodes } from '../domain/oidc/authorization-codes.ts';
import { IssuerDiscovery } from '../domain/oidc/discovery.ts';
import { HostedLogin } from '../domain/oidc/hosted-login.ts';
import { systemRepository } from './directory.ts';
import { documentClient, once, tableName } from './runtime.ts';
import { organizationRepository } from './shared.ts';
import { completeSignIn, startSignIn } from './sign-in.ts';

export const issuerDiscovery = /* @__PURE__ */ once(() => new IssuerDiscovery(organizationRepository(), config().apiBase));

/** Single-use authorization codes (60 s), stored by their SHA-256. */
export const authorizationCodes = /* @__PURE__ */ once(() => new AuthorizationCodes(new AuthorizationCodeRepository(documentClient(), tableName())));

/**
 * The hosted login pages: the same challenge engine as the API's sign-in routes (built on first use:
 * the authorize and link-page functions never run it).
 */
export const hostedLogin = /* @__PURE__ */ once(
  () =>
    new HostedLogin({
      organizations: organizationRepository(),
      systems: systemRepository(),
      transactions: new LoginTransactionRepository(documentClient(), tableName()),
      signIn: {
        start: (request, input) => startSignIn().start(request, input),
        completeStep: (request, input) => completeSignIn().completeStep(request, input),
      },
      codes: authorizationCodes(),
      apiBase: config().apiBase,
    }),
);
