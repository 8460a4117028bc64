/**
 * Composition root: builds the adapters the config asks for, once per process, and hands the domain
 * services to handlers. Nothing is created until a handler first needs it, so a function that never
 * sends SMS never loads the SNS client.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
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
import { SessionRepository } from './adapters/session-repository.ts';
import { SnsSmsSender } from './adapters/sns-sms-sender.ts';
import { config } from './config.ts';
import { AccessControl } from './domain/access-control.ts';
import { Accounts } from './domain/accounts.ts';
import { AccessKeys } from './domain/access-keys.ts';
import { ApiKeyVerifier } from './domain/api-keys.ts';
import { AuditLog } from './domain/audit-log.ts';
import { TokenSigningKeys } from './domain/keyring.ts';
import { LoginThrottle } from './domain/login-throttle.ts';
import { Groups, Organizations } from './domain/organizations.ts';
import type { MasterKey, SmsSender } from './domain/ports.ts';
import { OperatorSessions } from './domain/sessions.ts';
import { InvitationRepository } from './adapters/invitation-repository.ts';
import { MembershipRepository } from './adapters/membership-repository.ts';
import { Invitations } from './domain/invitations.ts';
import { Members } from './domain/members.ts';

const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};

export const documentClient = once<DynamoDBDocumentClient>(() =>
  createDocumentClient({ region: config().region, endpoint: config().dynamodbEndpoint }),
);

const kmsClient = once(() => new KMSClient({ region: config().region }));

/** Master key of one purpose: the KMS key CDK bound to this function, or the local key file. */
function masterKey(kmsKeyId: (keys: { signingKmsKeyId: string; dataKmsKeyId: string }) => string): MasterKey {
  const keys = config().keys;
  return keys.provider === 'local' ? new LocalMasterKey(keys.keyFile) : new KmsMasterKey(kmsClient(), kmsKeyId(keys));
}

export const operatorStore = once(() => new OperatorRepository(documentClient(), config().tableName));

export const organizationRepository = once(() => new OrganizationRepository(documentClient(), config().tableName));

/** The account profile (name, billing contact, settings). */
export const accounts = once(() => new Accounts(accessControl(), new AccountRepository(documentClient(), config().tableName)));

/** Organizations and groups: each change commits in one transaction with its audit event. */
export const organizations = once(() => new Organizations(accessControl(), organizationRepository()));
export const groups = once(() => new Groups(accessControl(), organizationRepository()));

export const apiKeyRepository = once(() => new ApiKeyRepository(documentClient(), config().tableName));

export const auditRepository = once(() => new AuditRepository(documentClient(), config().tableName));

export const apiKeyVerifier = once(() => new ApiKeyVerifier(apiKeyRepository()));

/** Access decisions: memberships from the operator store, organizations and groups from theirs. */
export const accessControl = once(
  () =>
    new AccessControl({
      findMembership: (accountId, userId) => operatorStore().findMembership(accountId, userId),
      findOrganization: (orgId) => organizationRepository().findOrganization(orgId),
      listGroupsOfAccount: (accountId) => organizationRepository().listGroupsOfAccount(accountId),
    }),
);

/** Access-key management: each change commits in one transaction with its audit event. */
export const accessKeys = once(
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
export const auditLog = once(
  () =>
    new AuditLog(
      {
        listEvents: (query) => auditRepository().listEvents(query),
        findOrganization: (orgId) => organizationRepository().findOrganization(orgId),
      },
      accessControl(),
    ),
);

export const tokenSigningKeys = once(
  () => new TokenSigningKeys(new KeyringRepository(documentClient(), config().tableName), () => masterKey((k) => k.signingKmsKeyId)),
);

export const operatorSessions = once(() => {
  const { tableName, tokenIssuer, accessTokenTtlSeconds, refreshTokenTtlSeconds } = config();
  return new OperatorSessions(
    operatorStore(),
    new SessionRepository(documentClient(), tableName),
    new LoginThrottle(new LoginThrottleRepository(documentClient(), tableName)),
    tokenSigningKeys(),
    { issuer: tokenIssuer, accessTokenTtlSeconds, refreshTokenTtlSeconds },
  );
});

/** The process's outbox when SMS stay local (`npm start`, tests). */
export const localOutbox = once(() => new OutboxSmsSender());

export const smsSender = once<SmsSender>(() => {
  const sms = config().sms;
  return sms.provider === 'outbox'
    ? localOutbox()
    : new SnsSmsSender(new SNSClient({ region: config().region }), { senderId: sms.senderId, originationNumber: sms.originationNumber });
});

// ---- Members and invitations ---------------------------------------------------------------------

/** Members of an account; scope ids are checked against the account's organizations and groups. */
export const members = once(() => new Members(new MembershipRepository(documentClient(), config().tableName), organizationRepository()));

/** Invitations; accepting signs the member in, and an existing operator's password is throttled like a login. */
export const invitations = once(() => {
  const { tableName } = config();
  return new Invitations(
    new InvitationRepository(documentClient(), tableName, operatorStore()),
    operatorStore(),
    organizationRepository(),
    new LoginThrottle(new LoginThrottleRepository(documentClient(), tableName)),
    operatorSessions(),
  );
});
