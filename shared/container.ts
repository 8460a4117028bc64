/**
 * Composition root: builds the adapters the config asks for, once per process, and hands the domain
 * services to handlers. Nothing is created until a handler first needs it, so a function that never
 * sends SMS never loads the SNS client.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AccountRepository } from './adapters/account-repository.ts';
import { ApiKeyRepository } from './adapters/api-key-repository.ts';
import { AuditRepository, auditEventPut } from './adapters/audit-repository.ts';
import { createDocumentClient } from './adapters/dynamodb.ts';
import { KeyringRepository } from './adapters/keyring-repository.ts';
import { KmsMasterKey } from './adapters/kms-master-key.ts';
import { LocalMasterKey } from './adapters/local-master-key.ts';
import { LoginThrottleRepository } from './adapters/login-throttle-repository.ts';
import { OperatorRepository } from './adapters/operator-repository.ts';
import { OrganizationRepository } from './adapters/organization-repository.ts';
import { OutboxSmsSender } from './adapters/outbox-sms-sender.ts';
import { PowertoolsMetrics } from './adapters/powertools-metrics.ts';
import { SessionRepository } from './adapters/session-repository.ts';
import { SnsSmsSender } from './adapters/sns-sms-sender.ts';
import { config } from './config.ts';
import { AccessControl } from './domain/tenancy/actors.ts';
import { Accounts } from './domain/tenancy/accounts.ts';
import { AccessKeys } from './domain/tenancy/access-keys.ts';
import { ApiKeyVerifier } from './domain/tenancy/access-key-verifier.ts';
import { AuditLog } from './domain/tenancy/audit-log.ts';
import { DataKey, PIN_HMAC_PURPOSE, provisionKeyrings, TokenSigningKeys } from './domain/platform/keyring.ts';
import { ChallengeRepository } from './adapters/challenge-repository.ts';
import { SmsLimitRepository } from './adapters/sms-limit-repository.ts';
import { SignInReadRepository } from './adapters/sign-in-reads.ts';
import { ChallengeEngine } from './domain/sign-in/challenges.ts';
import { EndUserTokens, OrganizationIssuerKeys } from './domain/sign-in/end-user-tokens.ts';
import { SmsLimits } from './domain/sign-in/sms-limits.ts';
import { LoginThrottle } from './domain/sessions/login-throttle.ts';
import type { Metrics } from './domain/kernel/metrics.ts';
import { Groups, Organizations } from './domain/tenancy/organizations.ts';
import type { MasterKey, SmsSender } from './domain/kernel/ports.ts';
import { OperatorSessions } from './domain/sessions/operator-sessions.ts';
import { MfaRepository } from './adapters/mfa-repository.ts';
import { LoginEventLog, OperatorMfa, TotpFactors, type MfaAuditPort, type MfaPolicyStore } from './domain/mfa/mfa.ts';
import { TotpSecretCipher } from './domain/mfa/totp.ts';
import { EndUserTotp, EndUserTotpAdmin } from './domain/mfa/end-user-totp.ts';
import type { EndUserSecondFactor } from './domain/sign-in/model.ts';
import { logger } from './http/logger.ts';
import { InvitationRepository } from './adapters/invitation-repository.ts';
import { MembershipRepository } from './adapters/membership-repository.ts';
import { Invitations } from './domain/tenancy/invitations.ts';
import { Members } from './domain/tenancy/members.ts';
import { DirectoryRepository } from './adapters/directory-repository.ts';
import { AccessGrants, EndUsers, Systems } from './domain/directory/directory.ts';
import type { SignInDirectory } from './domain/sign-in/model.ts';

const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};

export const documentClient = /* @__PURE__ */ once<DynamoDBDocumentClient>(() =>
  createDocumentClient({ region: config().region, endpoint: config().dynamodbEndpoint }),
);

/**
 * The KMS and SNS clients, imported on first use: a function that never unwraps a key (a warm
 * container, or one whose route needs none) or never sends an SMS loads no KMS or SNS code at its cold start.
 */
export const kmsClient = /* @__PURE__ */ once(async (): Promise<KMSClient> => new (await import('@aws-sdk/client-kms')).KMSClient({ region: config().region }));
export const snsClient = /* @__PURE__ */ once(async (): Promise<SNSClient> => new (await import('@aws-sdk/client-sns')).SNSClient({ region: config().region }));

/** Master key of one purpose: the KMS key CDK bound to this function, or the local key file. */
function masterKey(kmsKeyId: (keys: { signingKmsKeyId: string; dataKmsKeyId: string }) => string): MasterKey {
  const keys = config().keys;
  return keys.provider === 'local' ? new LocalMasterKey(keys.keyFile) : new KmsMasterKey(kmsClient, kmsKeyId(keys));
}

let metricsAdapter: PowertoolsMetrics | undefined;

/**
 * Business metrics (sign-ins, SMS, lockouts) as CloudWatch EMF through Powertools; created by the
 * first domain service that counts, published per invocation by `flushMetrics`.
 */
export const metrics = /* @__PURE__ */ once((): Metrics => (metricsAdapter = new PowertoolsMetrics({ stage: config().stage })));

/** Publishes what this invocation counted (called by the handler wrapper); a no-op until something counted. */
export function flushMetrics(): void {
  metricsAdapter?.flush();
}

export const operatorStore = /* @__PURE__ */ once(() => new OperatorRepository(documentClient(), config().tableName));

export const organizationRepository = /* @__PURE__ */ once(() => new OrganizationRepository(documentClient(), config().tableName));

/** The account profile (name, billing contact, settings). */
export const accounts = /* @__PURE__ */ once(() => new Accounts(accessControl(), new AccountRepository(documentClient(), config().tableName)));

/** Organizations and groups: each change commits in one transaction with its audit event. */
export const organizations = /* @__PURE__ */ once(() => new Organizations(accessControl(), organizationRepository(), config().limits));
export const groups = /* @__PURE__ */ once(() => new Groups(accessControl(), organizationRepository()));

export const apiKeyRepository = /* @__PURE__ */ once(() => new ApiKeyRepository(documentClient(), config().tableName));

export const auditRepository = /* @__PURE__ */ once(() => new AuditRepository(documentClient(), config().tableName));

export const apiKeyVerifier = /* @__PURE__ */ once(() => new ApiKeyVerifier(apiKeyRepository()));

/** Access decisions: memberships from the operator store, organizations and groups from theirs. */
export const accessControl = /* @__PURE__ */ once(
  () =>
    new AccessControl({
      findMembership: (accountId, userId) => operatorStore().findMembership(accountId, userId),
      findOrganization: (orgId) => organizationRepository().findOrganization(orgId),
      listGroupsOfAccount: (accountId) => organizationRepository().listGroupsOfAccount(accountId),
    }),
);

/** Access-key management: each change commits in one transaction with its audit event. */
export const accessKeys = /* @__PURE__ */ once(
  () =>
    new AccessKeys(
      {
        createApiKey: (key, event) => apiKeyRepository().createApiKey(key, [auditEventPut(config().tableName, event)]),
        findApiKey: (keyId) => apiKeyRepository().findApiKey(keyId),
        listApiKeysOfAccount: (accountId, limit, startKey) => apiKeyRepository().listApiKeysOfAccount(accountId, limit, startKey),
        revokeApiKey: (accountId, keyId, at, event) =>
          apiKeyRepository().revokeApiKey(accountId, keyId, at, [auditEventPut(config().tableName, event)]),
        findOrganization: (orgId) => organizationRepository().findOrganization(orgId),
      },
      accessControl(),
    ),
);

/** Reading the audit log, scoped to what the reader reaches. */
export const auditLog = /* @__PURE__ */ once(
  () =>
    new AuditLog(
      {
        listEvents: (query) => auditRepository().listEvents(query),
        findOrganization: (orgId) => organizationRepository().findOrganization(orgId),
      },
      accessControl(),
    ),
);

export const tokenSigningKeys = /* @__PURE__ */ once(
  () => new TokenSigningKeys(new KeyringRepository(documentClient(), config().tableName), () => masterKey((k) => k.signingKmsKeyId)),
);

/** The JWKS of each organization's issuer: the key ring's public keys, for active organizations only. */
export const organizationIssuerKeys = /* @__PURE__ */ once(() => new OrganizationIssuerKeys(organizationRepository(), tokenSigningKeys()));

/**
 * The key function's work (functions/platform/rotate-keys.ts): creates the keyrings that are missing and,
 * on its schedule, rotates the signing key. The only writer of keyrings; every other function reads them.
 */
export const keyProvisioning = /* @__PURE__ */ once(() => {
  const store = new KeyringRepository(documentClient(), config().tableName);
  const masterKeys = { signing: () => masterKey((k) => k.signingKmsKeyId), data: () => masterKey((k) => k.dataKmsKeyId) };
  return { provision: (options: { rotate?: boolean } = {}) => provisionKeyrings(store, masterKeys, options) };
});

export const operatorSessions = /* @__PURE__ */ once(() => {
  const { tableName, tokenIssuer, accessTokenTtlSeconds, refreshTokenTtlSeconds } = config();
  return new OperatorSessions(
    operatorStore(),
    new SessionRepository(documentClient(), tableName),
    new LoginThrottle(new LoginThrottleRepository(documentClient(), tableName), undefined, metrics()),
    tokenSigningKeys(),
    { issuer: tokenIssuer, accessTokenTtlSeconds, refreshTokenTtlSeconds },
    operatorMfa(),
    new LoginEventLog(mfaAudit(), (message, details) => {
      logger.info(message, details);
    }),
  );
});

/** The process's outbox when SMS stay local (`npm start`, tests). */
export const localOutbox = /* @__PURE__ */ once(() => new OutboxSmsSender());

export const smsSender = /* @__PURE__ */ once<SmsSender>(() => {
  const sms = config().sms;
  return sms.provider === 'outbox'
    ? localOutbox()
    : new SnsSmsSender(snsClient, { senderId: sms.senderId, originationNumber: sms.originationNumber });
});

// ---- Members and invitations ---------------------------------------------------------------------

/** Members of an account; scope ids are checked against the account's organizations and groups. */
export const members = /* @__PURE__ */ once(() => new Members(new MembershipRepository(documentClient(), config().tableName), organizationRepository()));

/** Invitations; a new person's accept is a sign-in through the session gate, an existing operator's needs their session. */
export const invitations = /* @__PURE__ */ once(() => {
  const { tableName } = config();
  return new Invitations(
    new InvitationRepository(documentClient(), tableName, operatorStore()),
    operatorStore(),
    organizationRepository(),
    operatorSessions(),
  );
});

// ---- Two-factor authentication (TOTP, recovery codes) --------------------------------------------

export const mfaRepository = /* @__PURE__ */ once(() => new MfaRepository(documentClient(), config().tableName));

/** The data key that encrypts TOTP secrets, unwrapped once per cold start. */
const totpSecretCipher = /* @__PURE__ */ once(
  () => new TotpSecretCipher(new KeyringRepository(documentClient(), config().tableName), () => masterKey((k) => k.dataKmsKeyId)),
);

/** Where MFA and login events go: every account of an operator, the organization's account of an end user. */
const mfaAudit = /* @__PURE__ */ once(
  (): MfaAuditPort => ({
    audiencesOf: async (subject) => {
      if (subject.kind === 'operator') {
        return (await operatorStore().listMembershipsOfUser(subject.userId)).map((m) => ({ accountId: m.accountId, organizationId: null }));
      }
      const organization = await organizationRepository().findOrganization(subject.organizationId);
      return organization ? [{ accountId: organization.accountId, organizationId: organization.id }] : [];
    },
    recordEvents: async (events) => {
      await Promise.all(events.map((event) => auditRepository().recordEvent(event)));
    },
  }),
);

/** The TOTP issuer shown in authenticator apps: `Portcullis` in prod, the stage named elsewhere. */
const totpIssuer = (): string => (config().stage === 'prod' ? 'Portcullis' : `Portcullis (${config().stage})`);

export const totpFactors = /* @__PURE__ */ once(() => new TotpFactors(mfaRepository(), totpSecretCipher(), mfaAudit(), { issuer: totpIssuer() }, undefined, metrics()));

/** Enforcement reads account settings and the organizations (with groups) that cover a member. */
const mfaPolicy = /* @__PURE__ */ once(
  (): MfaPolicyStore => ({
    listMembershipsOfUser: (userId) => operatorStore().listMembershipsOfUser(userId),
    accountRequiresMfa: async (accountId) =>
      (await new AccountRepository(documentClient(), config().tableName).findAccountProfile(accountId))?.settings.requireMfa ?? false,
    organizationsRequiringMfa: async (accountId) => {
      const required: string[] = [];
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await organizationRepository().listOrganizationsOfAccount(accountId, { limit: 100, ...(cursor ? { cursor } : {}) });
        required.push(...page.items.filter((o) => o.settings.requireMfa).map((o) => o.id));
        cursor = page.lastKey;
      } while (cursor);
      return required;
    },
    groupOrganizations: async (accountId, groupIds) => {
      const wanted = new Set(groupIds);
      const groups = await organizationRepository().listGroupsOfAccount(accountId);
      return new Set(groups.filter((g) => wanted.has(g.id)).flatMap((g) => g.organizations));
    },
  }),
);

/** Operator 2FA: self-service, login second step, enforcement, enrolment links, admin reset. */
export const operatorMfa = /* @__PURE__ */ once(
  () =>
    new OperatorMfa(
      totpFactors(),
      mfaRepository(),
      mfaPolicy(),
      operatorStore(),
      accessControl(),
      new LoginThrottle(new LoginThrottleRepository(documentClient(), config().tableName), undefined, metrics()),
    ),
);

// ---- Sign-in directory: systems, end users, access grants -----------------------------------------

export const directoryRepository = /* @__PURE__ */ once(() => new DirectoryRepository(documentClient(), config().tableName));

/** The directory as the challenge engine reads it (systems, end users by email or id, grants). */
export const signInDirectory = /* @__PURE__ */ once((): SignInDirectory => directoryRepository());

/** Systems and their policies; each change commits in one transaction with its audit event. */
export const systems = /* @__PURE__ */ once(() => new Systems(accessControl(), directoryRepository()));

/** End users; email uniqueness per organization is a guard item in the same transaction. */
export const endUsers = /* @__PURE__ */ once(() => new EndUsers(accessControl(), directoryRepository()));

/** Access grants of end users to systems. */
export const accessGrants = /* @__PURE__ */ once(() => new AccessGrants(accessControl(), directoryRepository()));

/** End users' TOTP as the challenge engine uses it (`totp` / `recoveryCode` factors). */
export const endUserSecondFactor = /* @__PURE__ */ once((): EndUserSecondFactor => new EndUserTotp(totpFactors()));

/** End users' TOTP set-up routes (`…/users/{userId}/totp`). */
export const endUserTotpAdmin = /* @__PURE__ */ once(() => new EndUserTotpAdmin(accessControl(), () => signInDirectory(), totpFactors()));

// ---- Sign-in challenges (POST /v2/user/authenticate, POST /v2/system/authenticate/user) ----------

/** The PIN HMAC key: a data key under the data KMS key, unwrapped once per cold start. */
const pinHmacKey = /* @__PURE__ */ once(
  () => new DataKey(new KeyringRepository(documentClient(), config().tableName), () => masterKey((k) => k.dataKmsKeyId), PIN_HMAC_PURPOSE),
);

/** The challenge engine: directory, TOTP, SMS limits and tokens behind one domain service. */
export const challengeEngine = /* @__PURE__ */ once(
  () =>
    new ChallengeEngine({
      access: accessControl(),
      directory: signInDirectory(),
      // Organization, system, user, grant (and on complete the challenge and state) in two BatchGetItems.
      reads: new SignInReadRepository(documentClient(), config().tableName),
      secondFactor: endUserSecondFactor(),
      store: new ChallengeRepository(documentClient(), config().tableName),
      limits: new SmsLimits(new SmsLimitRepository(documentClient(), config().tableName), config().limits, { metrics: metrics() }),
      sms: smsSender(),
      pinKey: pinHmacKey(),
      tokens: new EndUserTokens(tokenSigningKeys(), { apiBase: config().apiBase }),
      audit: (event) => auditRepository().recordEvent(event),
      metrics: metrics(),
    }),
);

