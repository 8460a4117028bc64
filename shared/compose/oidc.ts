/** OpenID Connect: discovery, authorization codes, the hosted login, the token and userinfo endpoints. */
import { AuthorizationCodeRepository } from '../adapters/authorization-code-repository.ts';
import { LoginTransactionRepository } from '../adapters/login-transaction-repository.ts';
import { OidcReadRepository } from '../adapters/oidc-reads.ts';
import { config } from '../config.ts';
import { AuthorizationCodes } from '../domain/oidc/authorization-codes.ts';
import { IssuerDiscovery } from '../domain/oidc/discovery.ts';
import { HostedLogin, type HostedLoginDependencies } from '../domain/oidc/hosted-login.ts';
import { OidcTokens } from '../domain/oidc/oidc-tokens.ts';
import { TokenExchange } from '../domain/oidc/token-exchange.ts';
import { UserInfo } from '../domain/oidc/userinfo.ts';
import { EndUserTokens } from '../domain/sign-in/end-user-tokens.ts';
import { systemRepository } from './directory.ts';
import { tokenSigningKeys } from './platform.ts';
import { documentClient, once, tableName } from './runtime.ts';
import { organizationRepository } from './shared.ts';
import { completeSignIn, startSignIn } from './sign-in.ts';

export const issuerDiscovery = /* @__PURE__ */ once(() => new IssuerDiscovery(organizationRepository(), config().apiBase));

/** Single-use authorization codes (60 s), stored by their SHA-256. */
export const authorizationCodes = /* @__PURE__ */ once(() => new AuthorizationCodes(new AuthorizationCodeRepository(documentClient(), tableName())));

/** What the token and userinfo endpoints read: one BatchGetItem per step. */
const oidcReads = /* @__PURE__ */ once(() => new OidcReadRepository(documentClient(), tableName()));

/** `POST {iss}/oauth2/token`: both tokens signed in-process with the key of the system's algorithm (ES256 or RS256). */
export const tokenExchange = /* @__PURE__ */ once(
  () => new TokenExchange(oidcReads(), authorizationCodes(), new OidcTokens(new EndUserTokens(tokenSigningKeys(), { apiBase: config().apiBase })), { apiBase: config().apiBase }),
);

/** `GET|POST {iss}/oauth2/userinfo`: verifies with the key ring's public keys, no KMS. */
export const userInfo = /* @__PURE__ */ once(() => new UserInfo(tokenSigningKeys(), oidcReads(), { apiBase: config().apiBase }));
/**
 * The hosted login pages: the same challenge engine as the API's sign-in routes (built on first use:
 * the authorize and link-page functions never run it).
 */
const hostedLoginWith = (signIn: HostedLoginDependencies['signIn']) =>
  new HostedLogin({
    organizations: organizationRepository(),
    systems: systemRepository(),
    transactions: new LoginTransactionRepository(documentClient(), tableName()),
    signIn,
    codes: authorizationCodes(),
    apiBase: config().apiBase,
  });

/** The hosted login's forms (`POST …/oauth2/login`, `POST …/oauth2/link`): the same challenge engine as the API's sign-in routes. */
export const hostedLogin = /* @__PURE__ */ once(() =>
  hostedLoginWith({
    start: (request, input) => startSignIn().start(request, input),
    completeStep: (request, input) => completeSignIn().completeStep(request, input),
  }),
);

const noEngine = () => Promise.reject(new Error('this function shows the hosted login; its forms run the sign-in engine'));

/**
 * The hosted login's pages that run no factor (authorize, the transaction's page, the link page):
 * built without the challenge engine, so their bundles carry neither otplib nor the SMS and e-mail senders.
 */
export const hostedLoginPages = /* @__PURE__ */ once(() => hostedLoginWith({ start: noEngine, completeStep: noEngine }));
