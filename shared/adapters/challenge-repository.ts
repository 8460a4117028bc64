import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import type { AttemptTake } from '../domain/kernel/attempt-budget.ts';
import type { TakeRefusal } from '../domain/sign-in/challenge-attempts.ts';
import type { StepUpdate } from '../domain/sign-in/complete-sign-in.ts';
import type { WindowSlot } from '../domain/sign-in/failure-window.ts';
import type { Challenge } from '../domain/sign-in/model.ts';
import type { ChallengeStore } from '../domain/sign-in/sign-in-services.ts';
import type { PlannedSms } from '../domain/sign-in/sms-limits.ts';
import { auditEventPut } from './audit-repository.ts';
import { attemptTakeCondition, claimOnce, isConditionalCheckFailed, transactWrite } from './dynamodb.ts';
import * as challengeItem from './items/challenge-item.ts';
import * as signInStateItem from './items/sign-in-state-item.ts';
import { plannedSmsWrites } from './sms-limit-repository.ts';

/**
 * Every write to challenges and to the per (organization, end user, system) sign-in state. They are
 * read through one path only, sign-in-reads.ts.
 */
export class ChallengeRepository implements ChallengeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createChallenge(challenge: Challenge, sms?: PlannedSms): Promise<boolean> {
    const put = {
      Put: {
        TableName: this.tableName,
        Item: challengeItem.toItem(challenge),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    // The new challenge becomes the live one in the same commit: the previous one is void from now on
    // (every complete checks the state's `challengeId`), with no window where both are live.
    // Decoys too (their subject id stands for the user): a decoy is superseded, runs out and expires like a real one.
    const live = [
      {
        Update: {
          TableName: this.tableName,
          Key: signInStateItem.key(challenge.organizationId, challenge.userId, challenge.systemName),
          UpdateExpression: 'SET challengeId = :id, entity = :entity, #ttl = :ttl, #window = if_not_exists(#window, :empty)',
          ExpressionAttributeNames: { '#ttl': 'ttl', '#window': 'window' },
          ExpressionAttributeValues: { ':id': challenge.id, ':entity': signInStateItem.ENTITY, ':ttl': signInStateItem.ttlFromNow(), ':empty': {} },
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

  async advanceChallenge(challenge: Challenge, fromStep: number, update: StepUpdate, nowMs: number, slot: WindowSlot, event?: AuditEvent): Promise<boolean> {
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: challengeItem.key(challenge.id),
            // The right code gives its attempt back (`attempts` counts wrong codes, all steps together).
            UpdateExpression:
              'SET #step = :next, #status = :status, secretHash = :secretHash, passkeyChallenge = :passkeyChallenge, expiresAt = :expiresAt, satisfied = :satisfied, #ttl = :ttl, attempts = attempts - :one',
            ConditionExpression: '#status = :open AND #step = :from AND attempts <= maxAttempts AND attempts > :zero AND expiresAt > :now AND attribute_not_exists(decoy)',
            ExpressionAttributeNames: { '#step': 'step', '#status': 'status', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':next': update.step,
              ':status': update.status,
              ':secretHash': update.secretHash,
              ':passkeyChallenge': update.passkeyChallenge ?? null,
              ':expiresAt': update.expiresAt,
              ':satisfied': update.satisfied,
              ':ttl': challengeItem.ttlOf(update.expiresAt),
              ':open': 'open',
              ':from': fromStep,
              ':now': nowMs,
              ':one': 1,
              ':zero': 0,
            },
          },
        },
        {
          // ... and its slot of the user's window: still the live challenge.
          Update: {
            TableName: this.tableName,
            Key: signInStateItem.key(challenge.organizationId, challenge.userId, challenge.systemName),
            UpdateExpression: 'REMOVE #window.#slot',
            ConditionExpression: 'challengeId = :id',
            ExpressionAttributeNames: { '#window': 'window', '#slot': slot.id },
            ExpressionAttributeValues: { ':id': challenge.id },
          },
        },
        ...(event ? [auditEventPut(this.tableName, event)] : []),
      ],
    });
    return failed.length === 0;
  }

  async takeAttempt(challenge: Challenge, step: number, slot: WindowSlot, nowMs: number, limit: number, prune?: { keep: Record<string, number>; version: number }): Promise<AttemptTake<TakeRefusal>> {
    const take = attemptTakeCondition('attempts', { attribute: 'maxAttempts' });
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: challengeItem.key(challenge.id),
            UpdateExpression: 'ADD #attempts :one',
            ConditionExpression: `#status = :open AND #step = :step AND expiresAt > :now AND ${take.condition}`,
            ExpressionAttributeNames: { '#status': 'status', '#step': 'step', ...take.names },
            ExpressionAttributeValues: { ':one': 1, ':open': 'open', ':step': step, ':now': nowMs, ...take.values },
          },
        },
        {
          // A slot of the (user, system) window, in the same commit: while it has room, or, pruned of
          // the slots older than the window, at the version that was read.
          Update: {
            TableName: this.tableName,
            Key: signInStateItem.key(challenge.organizationId, challenge.userId, challenge.systemName),
            UpdateExpression: prune ? 'SET #window = :window ADD version :one' : 'SET #window.#slot = :at ADD version :one',
            ConditionExpression: prune
              ? `challengeId = :id AND ${prune.version === 0 ? 'attribute_not_exists(version)' : 'version = :version'}`
              : 'challengeId = :id AND size(#window) < :limit',
            ExpressionAttributeNames: { '#window': 'window', ...(prune ? {} : { '#slot': slot.id }) },
            ExpressionAttributeValues: {
              ':one': 1,
              ':id': challenge.id,
              ...(prune
                ? { ':window': { ...prune.keep, [slot.id]: slot.at }, ...(prune.version === 0 ? {} : { ':version': prune.version }) }
                : { ':at': slot.at, ':limit': limit }),
            },
          },
        },
      ],
    });
    if (failed.length === 0) return { taken: true };
    return { taken: false, refusal: failed.includes(0) ? 'challenge' : 'window' };
  }

  noticeExhausted(challenge: Challenge, nowMs: number): Promise<boolean> {
    // Once per challenge: the notice lasts as long as the challenge.
    return claimOnce(this.db, this.tableName, challengeItem.key(challenge.id), {
      attribute: 'exhaustedNotice',
      until: challenge.expiresAt + challengeItem.CLEANUP_AFTER_SECONDS * 1000,
      now: nowMs,
      condition: 'attempts >= maxAttempts',
    });
  }

  noticeUserLocked(challenge: Challenge, lockedUntil: number, nowMs: number): Promise<boolean> {
    return claimOnce(this.db, this.tableName, signInStateItem.key(challenge.organizationId, challenge.userId, challenge.systemName), {
      attribute: 'lockNotice',
      until: lockedUntil,
      now: nowMs,
    });
  }

  async voidChallenge(challengeId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: challengeItem.key(challengeId),
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
