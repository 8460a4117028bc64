import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import type { AttemptTake } from '../domain/kernel/attempt-budget.ts';
import type { EnrollmentLinkRecord, EnrollmentLinkStore } from '../domain/mfa/enrollment-links.ts';
import type { MfaSubject } from '../domain/mfa/mfa-subject.ts';
import type { MfaTokenRecord, MfaTokenStore } from '../domain/mfa/mfa-tokens.ts';
import type { AttemptPolicy } from '../domain/mfa/totp-attempts.ts';
import type { TotpFactorRecord, TotpFactorStore } from '../domain/mfa/totp-factors.ts';
import { mfaEnrollmentKey, mfaTokenKey } from '../data/keys.ts';
import { auditEventPut } from './audit-repository.ts';
import { attemptTakeCondition, conditionalWrite, isConditionalCheckFailed, transactWrite } from './dynamodb.ts';
import { enrollmentLinkFromItem, enrollmentLinkToItem } from './items/enrollment-link-item.ts';
import { mfaTokenFromItem, mfaTokenToItem } from './items/mfa-token-item.ts';
import { TOTP_FACTOR_ENTITY, totpFactorFromItem, totpFactorKey } from './items/totp-factor-item.ts';

/**
 * TOTP factors, login MFA tokens and enrolment links. The factor is one item per subject: secrets
 * sealed by the domain, recovery codes as a string set of hashes, so spending a code is one
 * `DELETE` from the set conditional on it being there.
 */
export class MfaRepository implements TotpFactorStore, MfaTokenStore, EnrollmentLinkStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private events(events: AuditEvent[]) {
    return events.map((event) => auditEventPut(this.tableName, event, config().auditRetentionDays));
  }

  async findTotpFactor(subject: MfaSubject): Promise<TotpFactorRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: totpFactorKey(subject), ConsistentRead: true }));
    return Item ? totpFactorFromItem(Item) : undefined;
  }

  async savePendingSecret(subject: MfaSubject, sealed: string, at: string, events: AuditEvent[]): Promise<void> {
    await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: totpFactorKey(subject),
            UpdateExpression:
              'SET entity = :entity, #status = if_not_exists(#status, :pending), pendingSecret = :sealed, pendingAt = :at, version = if_not_exists(version, :zero), lastStep = if_not_exists(lastStep, :zero)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':entity': TOTP_FACTOR_ENTITY, ':pending': 'pending', ':sealed': sealed, ':at': at, ':zero': 0 },
          },
        },
        ...this.events(events),
      ],
    });
  }

  async confirmPendingSecret(subject: MfaSubject, sealedPending: string, step: number, codeHashes: string[], at: string, events: AuditEvent[]): Promise<boolean> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: totpFactorKey(subject),
            // The new secret starts with the confirming code's step used; the old codes are replaced.
            UpdateExpression:
              'SET #status = :enabled, secret = pendingSecret, lastStep = :step, recoveryCodes = :codes, enabledAt = :at, version = version + :one, failedCount = :zero REMOVE pendingSecret, pendingAt',
            ConditionExpression: 'pendingSecret = :expected',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':enabled': 'enabled',
              ':step': step,
              ':codes': new Set(codeHashes),
              ':at': at,
              ':one': 1,
              ':zero': 0,
              ':expected': sealedPending,
            },
          },
        },
        ...this.events(events),
      ],
    });
    return failed.length === 0;
  }

  acceptTimeStep(subject: MfaSubject, version: number, step: number, nowSeconds: number): Promise<boolean> {
    // The whole replay defence: the step is stored only if it is newer than the last accepted one, so
    // of two requests with one code exactly one passes this condition.
    return conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: totpFactorKey(subject),
          UpdateExpression: 'SET lastStep = :step, failedCount = :zero',
          ConditionExpression:
            '#status = :enabled AND version = :version AND lastStep < :step AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':step': step, ':zero': 0, ':enabled': 'enabled', ':version': version, ':now': nowSeconds },
        }),
      ),
    );
  }

  async takeAttempt(subject: MfaSubject, nowSeconds: number, policy: AttemptPolicy): Promise<AttemptTake<'locked' | 'missing'>> {
    const Key = totpFactorKey(subject);
    const notLocked = '(attribute_not_exists(lockedUntil) OR lockedUntil <= :now)';
    const take = attemptTakeCondition('failedCount', policy.max);
    // Within the current window: one more, while under the budget.
    const added = await conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'ADD #attempts :one',
          ConditionExpression: `attribute_exists(pk) AND ${notLocked} AND failureWindowStart > :cutoff AND ${take.condition}`,
          ExpressionAttributeNames: take.names,
          ExpressionAttributeValues: { ':one': 1, ':now': nowSeconds, ':cutoff': nowSeconds - policy.windowSeconds, ...take.values },
        }),
      ),
    );
    if (added) return { taken: true };
    // No window yet, or an old one: a new window starting with this attempt.
    const restarted = await conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET failedCount = :one, failureWindowStart = :now',
          ConditionExpression: `attribute_exists(pk) AND ${notLocked} AND (attribute_not_exists(failureWindowStart) OR failureWindowStart <= :cutoff)`,
          ExpressionAttributeValues: { ':one': 1, ':now': nowSeconds, ':cutoff': nowSeconds - policy.windowSeconds },
        }),
      ),
    );
    if (restarted) return { taken: true };
    return { taken: false, refusal: (await this.findTotpFactor(subject)) ? 'locked' : 'missing' };
  }

  async giveBackAttempt(subject: MfaSubject): Promise<void> {
    await conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: totpFactorKey(subject),
          UpdateExpression: 'ADD failedCount :minusOne',
          ConditionExpression: 'failedCount > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      ),
    );
  }

  lockIfExhausted(subject: MfaSubject, nowSeconds: number, policy: AttemptPolicy): Promise<boolean> {
    // Exactly one request locks (and restarts the count): the condition is false for everyone after it.
    return conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: totpFactorKey(subject),
          UpdateExpression: 'SET lockedUntil = :until, failedCount = :zero',
          ConditionExpression: 'failedCount >= :max AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)',
          ExpressionAttributeValues: { ':until': nowSeconds + policy.lockSeconds, ':zero': 0, ':max': policy.max, ':now': nowSeconds },
        }),
      ),
    );
  }

  async spendRecoveryCode(subject: MfaSubject, version: number, hash: string, nowSeconds: number): Promise<number | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: totpFactorKey(subject),
          // Removing the hash from the set is the spend: a second use finds it gone.
          UpdateExpression: 'DELETE recoveryCodes :code SET failedCount = :zero',
          ConditionExpression:
            '#status = :enabled AND version = :version AND contains(recoveryCodes, :hash) AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':code': new Set([hash]), ':hash': hash, ':zero': 0, ':enabled': 'enabled', ':version': version, ':now': nowSeconds },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? totpFactorFromItem(Attributes).recoveryCodeHashes.length : 0;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async replaceRecoveryCodes(subject: MfaSubject, version: number, hashes: string[], events: AuditEvent[]): Promise<boolean> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: totpFactorKey(subject),
            UpdateExpression: 'SET recoveryCodes = :codes',
            ConditionExpression: '#status = :enabled AND version = :version',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':codes': new Set(hashes), ':enabled': 'enabled', ':version': version },
          },
        },
        ...this.events(events),
      ],
    });
    return failed.length === 0;
  }

  async deleteTotpFactor(subject: MfaSubject, events: AuditEvent[]): Promise<boolean> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        { Delete: { TableName: this.tableName, Key: totpFactorKey(subject), ConditionExpression: 'attribute_exists(pk)' } },
        ...this.events(events),
      ],
    });
    return failed.length === 0;
  }

  // ---- MFA tokens and enrolment links ------------------------------------------------------------

  async createMfaToken(record: MfaTokenRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: mfaTokenToItem(record),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async findMfaToken(tokenHash: string): Promise<MfaTokenRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: mfaTokenKey(tokenHash), ConsistentRead: true }));
    return Item ? mfaTokenFromItem(Item) : undefined;
  }

  async consumeMfaToken(tokenHash: string, nowSeconds: number): Promise<MfaTokenRecord | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: mfaTokenKey(tokenHash),
          ConditionExpression: 'expiresAt > :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes ? mfaTokenFromItem(Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async createEnrollmentLink(record: EnrollmentLinkRecord, events: AuditEvent[]): Promise<void> {
    await transactWrite(this.db, {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: enrollmentLinkToItem(record),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...this.events(events),
      ],
    });
  }

  async findEnrollmentLink(tokenHash: string): Promise<EnrollmentLinkRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: mfaEnrollmentKey(tokenHash), ConsistentRead: true }));
    return Item ? enrollmentLinkFromItem(Item) : undefined;
  }

  consumeEnrollmentLink(tokenHash: string, nowSeconds: number): Promise<boolean> {
    return conditionalWrite(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: mfaEnrollmentKey(tokenHash),
          ConditionExpression: 'expiresAt > :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      ),
    );
  }
}
