import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { challengeKey, signInStateKey } from '../data/keys.ts';
import type { AuditEvent } from '../domain/audit.ts';
import type { Challenge, ChallengeStore, SignInState, StepUpdate } from '../domain/challenges.ts';
import type { PlannedSms } from '../domain/sms-limits.ts';
import { auditEventPut } from './audit-repository.ts';
import { isConditionalCheckFailed, transactWrite } from './dynamodb.ts';
import { plannedSmsWrites } from './sms-limit-repository.ts';

// Challenges are read only while live; DynamoDB TTL removes them an hour after they expire.
const CLEANUP_AFTER_SECONDS = 3600;
// The sign-in state outlives its challenges: it carries the 15-minute failure window.
const STATE_RETENTION_SECONDS = 24 * 3600;

const ttlOf = (expiresAtMs: number): number => Math.floor(expiresAtMs / 1000) + CLEANUP_AFTER_SECONDS;

/** Challenges and the per (organization, end user, system) sign-in state. */
export class ChallengeRepository implements ChallengeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createChallenge(challenge: Challenge, sms?: PlannedSms): Promise<boolean> {
    const put = {
      Put: {
        TableName: this.tableName,
        Item: { ...challengeKey(challenge.id), entity: 'Challenge', ...challenge, ttl: ttlOf(challenge.expiresAt) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    // The new challenge becomes the live one in the same commit: the previous one is void from now on
    // (every complete checks the state's `challengeId`), with no window where both are live.
    const live =
      challenge.userId === null
        ? []
        : [
            {
              Update: {
                TableName: this.tableName,
                Key: signInStateKey(challenge.organizationId, challenge.userId, challenge.systemName),
                UpdateExpression: 'SET challengeId = :id, entity = :entity, #ttl = :ttl',
                ExpressionAttributeNames: { '#ttl': 'ttl' },
                ExpressionAttributeValues: { ':id': challenge.id, ':entity': 'SignInState', ':ttl': Math.floor(Date.now() / 1000) + STATE_RETENTION_SECONDS },
              },
            },
          ];
    // The SMS counters, when given, commit with it: a sign-in start is then one write round trip.
    const counters = sms ? plannedSmsWrites(this.tableName, sms) : [];
    const failed = await transactWrite(this.db, { TransactItems: [...counters, put, ...live] });
    if (failed.length === 0) return true;
    if (sms && failed.every((index) => index < counters.length)) return false;
    throw new Error('challenge id collision');
  }

  async findChallenge(challengeId: string): Promise<Challenge | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: challengeKey(challengeId), ConsistentRead: true }));
    return Item ? toChallenge(Item) : undefined;
  }

  async findSignInState(orgId: string, userId: string, systemName: string): Promise<SignInState | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: signInStateKey(orgId, userId, systemName), ConsistentRead: true }));
    return Item ? toSignInState(Item) : undefined;
  }

  async advanceChallenge(challenge: Challenge, fromStep: number, update: StepUpdate, nowMs: number, event?: AuditEvent): Promise<boolean> {
    if (challenge.userId === null) return false;
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: challengeKey(challenge.id),
            UpdateExpression: 'SET #step = :next, #status = :status, secretHash = :secretHash, expiresAt = :expiresAt, satisfied = :satisfied, #ttl = :ttl',
            ConditionExpression: '#status = :open AND #step = :from AND attempts < maxAttempts AND expiresAt > :now',
            ExpressionAttributeNames: { '#step': 'step', '#status': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':next': update.step,
              ':status': update.status,
              ':secretHash': update.secretHash,
              ':expiresAt': update.expiresAt,
              ':satisfied': update.satisfied,
              ':ttl': ttlOf(update.expiresAt),
              ':open': 'open',
              ':from': fromStep,
              ':now': nowMs,
            },
          },
        },
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: signInStateKey(challenge.organizationId, challenge.userId, challenge.systemName),
            ConditionExpression: 'challengeId = :id AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)',
            ExpressionAttributeValues: { ':id': challenge.id, ':now': nowMs },
          },
        },
        ...(event ? [auditEventPut(this.tableName, event)] : []),
      ],
    });
    return failed.length === 0;
  }

  async recordWrongCode(challengeId: string, step: number): Promise<number | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: challengeKey(challengeId),
          UpdateExpression: 'ADD attempts :one',
          ConditionExpression: '#status = :open AND #step = :step AND attempts < maxAttempts',
          ExpressionAttributeNames: { '#status': 'status', '#step': 'step' },
          ExpressionAttributeValues: { ':one': 1, ':open': 'open', ':step': step },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Attributes?.attempts as number | undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async replaceFailures(orgId: string, userId: string, systemName: string, failures: number[], lockedUntil: number | null, expectedVersion: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: signInStateKey(orgId, userId, systemName),
          UpdateExpression:
            lockedUntil === null
              ? 'SET failures = :failures, version = :next, entity = :entity, #ttl = :ttl REMOVE lockedUntil'
              : 'SET failures = :failures, lockedUntil = :lockedUntil, version = :next, entity = :entity, #ttl = :ttl',
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(version)' : 'version = :expected',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':failures': failures,
            ...(lockedUntil === null ? {} : { ':lockedUntil': lockedUntil }),
            ':next': expectedVersion + 1,
            ':entity': 'SignInState',
            ':ttl': Math.floor(Date.now() / 1000) + STATE_RETENTION_SECONDS,
            ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async voidChallenge(challengeId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: challengeKey(challengeId),
          UpdateExpression: 'SET #status = :void',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':void': 'void', ':open': 'open' },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

/** A stored challenge without its key and bookkeeping attributes. */
export function toChallenge(item: Record<string, unknown>): Challenge {
  const { pk: _pk, sk: _sk, entity: _entity, ttl: _ttl, ...challenge } = item;
  return challenge as unknown as Challenge;
}

/** The sign-in state item; a missing attribute reads as its empty value. */
export function toSignInState(item: Record<string, unknown>): SignInState {
  return {
    challengeId: (item.challengeId as string | undefined) ?? null,
    failures: (item.failures as number[] | undefined) ?? [],
    lockedUntil: (item.lockedUntil as number | undefined) ?? null,
    version: (item.version as number | undefined) ?? 0,
  };
}
