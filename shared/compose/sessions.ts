/** Operator sessions: sign-up (as the deployment's signup mode says), login (with its second step), refresh, logout; the password's change and reset. */
import { PendingSignupRepository } from '../adapters/pending-signup-repository.ts';
import { LoginThrottleRepository } from '../adapters/login-throttle-repository.ts';
import { PasswordRepository } from '../adapters/password-repository.ts';
import { SessionRepository } from '../adapters/session-repository.ts';
import { config } from '../config.ts';
import { LoginEventLog } from '../domain/sessions/login-event-log.ts';
import { LoginThrottle } from '../domain/sessions/login-throttle.ts';
import { OperatorSessions } from '../domain/sessions/operator-sessions.ts';
import { PasswordLifecycle } from '../domain/sessions/password-lifecycle.ts';
import { Signup } from '../domain/sessions/signup.ts';
import { logger } from '../http/logger.ts';
import { operatorSecondFactor } from './mfa.ts';
import { tokenSigningKeys } from './platform.ts';
import { documentClient, metrics, once } from './runtime.ts';
import { auditRepository, mailer, operatorStore, securityNotices } from './shared.ts';

export const operatorSessions = /* @__PURE__ */ once(() => {
  const { tableName, tokenIssuer, accessTokenTtlSeconds, sessions } = config();
  return new OperatorSessions(
    operatorStore(),
    new SessionRepository(documentClient(), tableName),
    new LoginThrottle(new LoginThrottleRepository(documentClient(), tableName), undefined, metrics()),
    tokenSigningKeys(),
    { issuer: tokenIssuer, accessTokenTtlSeconds, ...sessions },
    operatorSecondFactor(),
    new LoginEventLog(
      {
        accountsOfOperator: async (userId) => (await operatorStore().listMembershipsOfUser(userId)).map((m) => m.accountId),
        recordEvents: async (events) => {
          await Promise.all(events.map((event) => auditRepository().recordEvent(event)));
        },
      },
      (message, details) => {
        logger.info(message, details);
      },
    ),
  );
});

/**
 * Password change, forgot and reset. The throttle is the login's (same items, per email): a wrong
 * current password spends the budget a login would. Events go to every account of the operator.
 */
export const passwordLifecycle = /* @__PURE__ */ once(() => {
  const { tableName, consoleUrl } = config();
  return new PasswordLifecycle(
    operatorStore(),
    new PasswordRepository(documentClient(), tableName),
    operatorSessions(),
    new LoginThrottle(new LoginThrottleRepository(documentClient(), tableName), undefined, metrics()),
    {
      accountsOfOperator: async (userId) => (await operatorStore().listMembershipsOfUser(userId)).map((m) => m.accountId),
      recordEvents: async (events) => {
        await Promise.all(events.map((event) => auditRepository().recordEvent(event)));
      },
    },
    securityNotices(),
    { consoleUrl },
    (message, details) => {
      logger.info(message, details);
    },
  );
});

/** `POST /v2/signup` and `/v2/signup/verify`, as the deployment's `signupMode` says. */
export const signup = /* @__PURE__ */ once(() => {
  const { tableName, signupMode, consoleUrl } = config();
  const pending = new PendingSignupRepository(documentClient(), tableName);
  return new Signup(signupMode, operatorStore(), operatorSessions(), pending, pending, mailer(), consoleUrl);
});
