/** Passkeys (WebAuthn): the operators' (register, list, rename, remove, passwordless sign-in) and end users' (register, list, remove). */
import { PasskeyRepository } from '../adapters/passkey-repository.ts';
import { config } from '../config.ts';
import { EndUserPasskeys } from '../domain/passkeys/end-user-passkeys.ts';
import { OperatorPasskeys } from '../domain/passkeys/operator-passkeys.ts';
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

export const operatorPasskeys = /* @__PURE__ */ once(() => {
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
    securityNotices(),
    events,
  );
});

/** End users' passkeys, registered through the API for a system's relying party; events in the organization's audit log. */
export const endUserPasskeys = /* @__PURE__ */ once(
  () =>
    new EndUserPasskeys(accessControl(), () => signInDirectory(), passkeyRepository(), passkeyRepository(), async (event) => {
      await auditRepository().recordEvent(event);
    }),
);
