/**
 * The sign-in services over the real DynamoDB storage and the production read path with a
 * controllable clock, for the integration tests: the organization, system, user and grant are written
 * through their real repositories, so a sign-in reads them as it does in production (sign-in-reads.ts);
 * the TOTP factor and the SMS sender are small in-test implementations of their ports. `world()` is
 * one organization with one system and one user with access.
 */
import { randomBytes } from 'node:crypto';
import { ChallengeRepository } from '#shared/adapters/challenge-repository.ts';
import { SignInReadRepository } from '#shared/adapters/sign-in-reads.ts';
import { SmsLimitRepository } from '#shared/adapters/sms-limit-repository.ts';
import { config } from '#shared/config.ts';
import { accessGrantRepository, endUserRepository, systemRepository } from '#shared/compose/directory.ts';
import { tokenSigningKeys } from '#shared/compose/platform.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { accessControl, operatorStore, organizationRepository } from '#shared/compose/shared.ts';
import { auditEvent, type AuditEvent } from '#shared/domain/kernel/audit-events.ts';
import type { AppError } from '#shared/domain/kernel/errors.ts';
import type { Metrics } from '#shared/domain/kernel/metrics.ts';
import type { Organization } from '#shared/domain/kernel/model.ts';
import type { SmsMessage, SmsSender } from '#shared/domain/sign-in/sms-sender.ts';
import type { Principal } from '#shared/domain/kernel/principal.ts';
import { newId } from '#shared/domain/kernel/secrets.ts';
import { EndUserTokens } from '#shared/domain/sign-in/end-user-tokens.ts';
import type { EndUser, EndUserSecondFactor, Policy, SecondFactorOutcome, SignInSystem } from '#shared/domain/sign-in/model.ts';
import { signInServices } from '#shared/domain/sign-in/sign-in-services.ts';
import { SmsLimits } from '#shared/domain/sign-in/sms-limits.ts';
import { Mailer } from '#shared/domain/platform/email.ts';
import { en } from '#shared/domain/platform/messages/en.ts';
import { OutboxEmailSender } from '#shared/adapters/outbox-email-sender.ts';

export const POLICY: Policy = {
  factors: ['pin'],
  rules: [{ if: { sensitivity: ['high'] }, factors: ['pin', 'totp'] }],
  pin: { length: 6, ttlSeconds: 300, maxAttempts: 5 },
  passwordless: { ttlSeconds: 600 },
  tokenTtlSeconds: 3600,
};

export class Outbox implements SmsSender {
  readonly sent: SmsMessage[] = [];
  failing = false;
  send(message: SmsMessage): Promise<void> {
    if (this.failing) return Promise.reject(new Error('SNS: throttled'));
    this.sent.push(message);
    return Promise.resolve();
  }
  lastLink(): string {
    return /sign in (\S+)$/.exec(this.sent.at(-1)?.body ?? '')?.[1] ?? '';
  }
  lastPin(): string {
    return /your code is (\d+)$/.exec(this.sent.at(-1)?.body ?? '')?.[1] ?? '';
  }
}

/** TOTP test double: `123456` is right, `000000` locks, anything else is wrong. */
export class FakeTotp implements EndUserSecondFactor {
  isEnrolled(): Promise<boolean> {
    return Promise.resolve(true);
  }
  verifyTotp(_org: string, _user: string, code: string): Promise<SecondFactorOutcome> {
    return Promise.resolve(code === '123456' ? 'ok' : code === '000000' ? 'locked' : 'invalid');
  }
  useRecoveryCode(): Promise<SecondFactorOutcome> {
    return Promise.resolve('invalid');
  }
}

/**
 * One organization with one system and one user with access, stored, and start/complete over them
 * with a clock. The stored records are dated by the real clock (their dates play no part here).
 */
export async function world(policy: Policy = POLICY, options: { metrics?: Metrics } = {}) {
  let nowMs = Date.parse('2026-03-02T10:00:00.000Z') + Math.floor(Math.random() * 1000) * 60_000;
  const clock = { now: () => new Date(nowMs), advance: (seconds: number) => (nowMs += seconds * 1000) };
  const accountId = newId('acc');
  const createdAt = new Date().toISOString();
  const organization: Organization = {
    id: newId('org'),
    accountId,
    name: 'Acme',
    settings: { requireMfa: false, smsDailyLimit: 1000, smsAllowedCountries: [], emailDailyLimit: 1000 },
    status: 'active',
    createdAt,
    updatedAt: createdAt,
  };
  const system: SignInSystem = { organizationId: organization.id, name: 'portal', policy, passwordlessUrl: 'https://portal.example.com/in', webauthn: null, redirectUris: [], tokenSigningAlg: 'ES256', clientSecretHash: null, createdAt, updatedAt: createdAt };
  const user: EndUser = {
    id: newId('eu'),
    organizationId: organization.id,
    email: `${randomBytes(6).toString('hex')}@example.com`,
    phone: `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
    name: null,
    status: 'active',
    createdAt,
    updatedAt: createdAt,
  };
  await store(organization, system, user);

  const outbox = new Outbox();
  const emails = new OutboxEmailSender();
  const audit: AuditEvent[] = [];
  const signIn = signInServices({
    access: accessControl(),
    reads: new SignInReadRepository(documentClient(), config().tableName),
    store: new ChallengeRepository(documentClient(), config().tableName),
    secondFactor: new FakeTotp(),
    limits: new SmsLimits(new SmsLimitRepository(documentClient(), config().tableName), config().limits, { now: clock.now }),
    emailLimits: new SmsLimits(new SmsLimitRepository(documentClient(), config().tableName), config().limits, { now: clock.now, channel: 'email' }),
    sms: outbox,
    mailer: new Mailer(emails, en),
    pinKey: { get: () => Promise.resolve(new Uint8Array(32).fill(1)) },
    tokens: new EndUserTokens(tokenSigningKeys(), { apiBase: 'https://auth.example.test' }, clock.now),
    audit: (event) => {
      audit.push(event);
      return Promise.resolve();
    },
    now: clock.now,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const principal: Principal = { kind: 'key', keyId: 'key-1', accountId, permissions: ['authenticate'], organizations: [organization.id] };
  const request = { principal, requestId: 'req', sourceIp: '127.0.0.1' };
  const start = (context?: Record<string, string>) => signIn.start.start(request, { email: user.email, system: system.name, ...(context ? { context } : {}) });
  const complete = (credential: Record<string, string>) => signIn.complete.complete(request, { email: user.email, system: system.name, ...credential });
  return { clock, organization, user, outbox, emails, audit, start, complete };
}

/** The account (with an owner), organization, system, end user and grant, through their repositories. */
async function store(organization: Organization, system: SignInSystem, user: EndUser): Promise<void> {
  const { accountId, createdAt } = organization;
  const ownerId = newId('usr');
  const event = (type: string): AuditEvent =>
    auditEvent({ actor: { kind: 'operator', id: ownerId }, sourceIp: null, requestId: null }, { accountId, organizationId: organization.id, type });
  await operatorStore().createOperatorWithAccount({
    operator: { id: ownerId, email: `owner-${randomBytes(6).toString('hex')}@example.test`, passwordHash: 'not-used', createdAt },
    account: { id: accountId, name: 'Acme', createdAt },
    membership: { accountId, userId: ownerId, role: 'owner', scope: 'all', createdAt },
  });
  if (!(await organizationRepository().createOrganization(organization, event('organization.created'), 10))) throw new Error('organization not stored');
  if (!(await systemRepository().createSystem(system, event('system.created')))) throw new Error('system not stored');
  if ((await endUserRepository().createEndUser(user, event('end_user.created'))) !== 'ok') throw new Error('end user not stored');
  const granted = await accessGrantRepository().putGrant({ organizationId: organization.id, systemName: system.name, userId: user.id, createdAt }, event('access.granted'));
  if (granted.outcome !== 'created') throw new Error(`grant not stored: ${granted.outcome}`);
}

/** The problem code of a rejected call (or 'ok'). */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as AppError).code;
  }
}

