/** Operator sessions: sign-up, login (with its second step), refresh, logout. */
import { PendingSignupRepository } from '../adapters/pending-signup-repository.ts';
import { LoginThrottleRepository } from '../adapters/login-throttle-repository.ts';
import { SessionRepository } from '../adapters/session-repository.ts';
import { config } from '../config.ts';
import { LoginEventLog } from '../domain/sessions/login-event-log.ts';
import { LoginThrottle } from '../domain/sessions/login-throttle.ts';
import { OperatorSessions } from '../domain/sessions/operator-sessions.ts';
import { Signup } from '../domain/sessions/signup.ts';
import { logger } from '../http/logger.ts';
import { operatorSecondFactor } from './mfa.ts';
import { tokenSigningKeys } from './platform.ts';
import { documentClient, metrics, once } from './runtime.ts';
import { auditRepository, mailer, operatorStore } from './shared.ts';

export const operatorSessions = /* @__PURE__ */ once(() => {
  const { tableName, tokenIssuer, accessTokenTtlSeconds, refreshTokenTtlSeconds } = config();
  return new OperatorSessions(
    operatorStore(),
    new SessionRepository(documentClient(), tableName),
    new LoginThrottle(new LoginThrottleRepository(documentClient(), tableName), undefined, metrics()),
    tokenSigningKeys(),
    { issuer: tokenIssuer, accessTokenTtlSeconds, refreshTokenTtlSeconds },
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

/** `POST /v2/signup` and `/v2/signup/verify`, as the deployment's `signupMode` says. */
export const signup = /* @__PURE__ */ once(() => {
  const { tableName, signupMode, consoleUrl } = config();
  const pending = new PendingSignupRepository(documentClient(), tableName);
  return new Signup(signupMode, operatorStore(), operatorSessions(), pending, pending, mailer(), consoleUrl);
});
