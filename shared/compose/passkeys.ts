/** Passkeys (WebAuthn): the operators' (register, list, rename, remove, passwordless sign-in) and end users' (register, list, remove). */
import { PasskeyRepository } from '../adapters/passkey-repository.ts';
import { config } from '../config.ts';
import { EndUserPasskeys } from '../domain/passkeys/end-user-passkeys.ts';
import { OperatorPasskeys } from '../domain/passkeys/operator-passkeys.ts';
import { noVerifier, type VerifierLoader } from '../domain/passkeys/options.ts';
import { LoginEventLog } from '../domain/sessions/login-event-log.ts';
import { logger } from '../http/logger.ts';
import { operatorMfa } from './mfa.ts';
import { documentClient, once, tableName } from './runtime.ts';
import { operatorSessions } from './sessions.ts';
import { signInDirectory } from './directory.ts';
import { accessControl, auditRepository, operatorStore, securityNotices } from './shared.ts';

export const passkeyRepository = /* @__PURE__ */ once(() => new PasskeyRepository(documentClient(), tableName()));

/** The RP name browsers show in the passkey prompt. */
const RP_NAME = 'Portcullis';

const buildOperatorPasskeys = (verifier: VerifierLoader) => {
  const { rpId, origins } = config().operatorPasskeys;
  const events = new LoginEventLog(
    {
      accountsOfOperator: async (userId) => (await operatorStore().listMembershipsOfUser(userId)).map((m) => m.accountId),
      recordEvents: async (list) => {
        await Promise.all(list.map((event) => auditRepository().recordEvent(event)));
      },
    },
    (message, details) => {
      logger.info(message, details);
    },
  );
  return new OperatorPasskeys(
    passkeyRepository(),
    passkeyRepository(),
    operatorStore(),
    operatorSessions(),
    operatorMfa(),
    { rpId, rpName: RP_NAME, origins },
    verifier,
    securityNotices(),
    events,
  );
};

/**
 * Each service twice: without the verifier (list, rename, remove, options: these functions check no
 * response, and @simplewebauthn/server's verifiers weigh about 250 KB) and with it, loaded on first
 * use (register, sign in). Unused exports and their dynamic imports drop out of a function's bundle.
 */
const loadVerifier: VerifierLoader = () => import('../domain/passkeys/ceremonies.ts');

/** The operators' passkeys for functions that check no WebAuthn response. */
export const operatorPasskeys = /* @__PURE__ */ once(() => buildOperatorPasskeys(noVerifier));
/** The operators' passkeys for registering and signing in. */
export const operatorPasskeyCeremonies = /* @__PURE__ */ once(() => buildOperatorPasskeys(loadVerifier));

/** End users' passkeys, registered through the API for a system's relying party; events in the organization's audit log. */
const buildEndUserPasskeys = (verifier: VerifierLoader) =>
  new EndUserPasskeys(
    accessControl(),
    () => signInDirectory(),
    passkeyRepository(),
    passkeyRepository(),
    async (event) => {
      await auditRepository().recordEvent(event);
    },
    verifier,
  );

/** End users' passkeys for functions that check no WebAuthn response (options, list, remove). */
export const endUserPasskeys = /* @__PURE__ */ once(() => buildEndUserPasskeys(noVerifier));
/** End users' passkeys for registering. */
export const endUserPasskeyCeremonies = /* @__PURE__ */ once(() => buildEndUserPasskeys(loadVerifier));
