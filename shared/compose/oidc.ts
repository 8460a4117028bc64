/** OpenID Connect: discovery, authorization codes (and, with them, the hosted login and the token endpoint). */
import { AuthorizationCodeRepository } from '../adapters/authorization-code-repository.ts';
import { config } from '../config.ts';
import { AuthorizationCodes } from '../domain/oidc/authorization-codes.ts';
import { IssuerDiscovery } from '../domain/oidc/discovery.ts';
import { documentClient, once, tableName } from './runtime.ts';
import { organizationRepository } from './shared.ts';

export const issuerDiscovery = /* @__PURE__ */ once(() => new IssuerDiscovery(organizationRepository(), config().apiBase));

/** Single-use authorization codes (60 s), stored by their SHA-256. */
export const authorizationCodes = /* @__PURE__ */ once(() => new AuthorizationCodes(new AuthorizationCodeRepository(documentClient(), tableName())));
