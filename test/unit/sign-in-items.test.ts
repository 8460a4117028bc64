/**
 * The sign-in item modules (shared/adapters/items/): what is written reads back as it was, without
 * the key and bookkeeping attributes, and a malformed item is an error that names the attributes but
 * never their values.
 */
import { describe, expect, it } from 'vitest';
import * as challengeItem from '#shared/adapters/items/challenge-item.ts';
import { MalformedItemError } from '#shared/adapters/dynamodb.ts';
import * as signInStateItem from '#shared/adapters/items/sign-in-state-item.ts';
import * as smsDailyShardItem from '#shared/adapters/items/sms-daily-shard-item.ts';
import * as smsSubjectItem from '#shared/adapters/items/sms-subject-item.ts';
import {
  challengeKey,
  emailAccountDailyShardKey,
  emailDailyShardKey,
  emailDeploymentDailyShardKey,
  emailSubjectLimitKey,
  signInStateKey,
  smsAccountDailyShardKey, smsDailyShardKey, smsDeploymentDailyShardKey, smsSubjectLimitKey } from '#shared/data/keys.ts';
import type { Challenge } from '#shared/domain/sign-in/model.ts';

const challenge = (overrides: Partial<Challenge> = {}): Challenge => ({
  id: 'chl_1',
  organizationId: 'org_1',
  accountId: 'acc_1',
  systemName: 'portal',
  userId: 'eu_1',
  chain: ['pin', 'totp'],
  step: 0,
  status: 'open',
  secretHash: 'c2VjcmV0LWhhc2gtb2YtdGhlLXBpbg',
  attempts: 0,
  maxAttempts: 5,
  expiresAt: 1_772_445_600_000,
  satisfied: [],
  createdAt: '2026-03-02T10:00:00.000Z',
  ...overrides,
});

describe('challenge items', () => {
  it('are keyed by challengeKey, expire an hour after the challenge and read back without key, entity, ttl or notices', () => {
    const item = challengeItem.toItem(challenge());
    expect(item).toMatchObject({ ...challengeKey('chl_1'), entity: 'Challenge', ttl: Math.floor(1_772_445_600_000 / 1000) + 3600 });
    expect(challengeItem.fromItem({ ...item, exhaustedNotice: 1 })).toEqual(challenge());
    expect(challengeItem.fromItem(challengeItem.toItem(challenge({ decoy: true, secretHash: null })))).toEqual(challenge({ decoy: true, secretHash: null }));
  });

  it('refuse a malformed item, naming the attribute and not the stored secret hash', () => {
    const item = { ...challengeItem.toItem(challenge()), attempts: 'many' };
    expect(() => challengeItem.fromItem(item)).toThrow(MalformedItemError);
    expect(() => challengeItem.fromItem(item)).toThrow(/attempts/);
    expect(() => challengeItem.fromItem({ ...item, status: 'unknown' })).not.toThrow(/c2VjcmV0/);
  });
});

describe('sign-in state items', () => {
  it('are keyed by signInStateKey; a missing attribute reads as its empty value', () => {
    expect(signInStateItem.key('org_1', 'eu_1', 'portal')).toEqual(signInStateKey('org_1', 'eu_1', 'portal'));
    expect(signInStateItem.fromItem({ challengeId: 'chl_1', window: { try_1: 5 }, version: 2, lockNotice: 9 })).toEqual({ challengeId: 'chl_1', window: { try_1: 5 }, version: 2 });
    expect(signInStateItem.fromItem({ lockNotice: 9 })).toEqual({ challengeId: null, window: {}, version: 0 });
  });

  it('refuse a window that is not slot → epoch ms', () => {
    expect(() => signInStateItem.fromItem({ challengeId: 'chl_1', window: { try_1: 'now' } })).toThrow(MalformedItemError);
  });
});

describe('SMS counter items', () => {
  it('write the subject one version past the one expected and read it back', () => {
    const item = smsSubjectItem.toItem({ orgId: 'org_1', subjectHash: 'h', sentAt: [1, 2], expectedVersion: 3, expiresAtSeconds: 99 });
    expect(item).toEqual({ ...smsSubjectLimitKey('org_1', 'h'), entity: 'SmsSubjectLimit', sentAt: [1, 2], version: 4, ttl: 99 });
    expect(smsSubjectItem.fromItem(item)).toEqual({ sentAt: [1, 2], version: 4 });
    expect(() => smsSubjectItem.fromItem({ sentAt: [1, 2] })).toThrow(MalformedItemError);
  });

  it('key each daily shard by its level', () => {
    expect(smsDailyShardItem.key({ level: 'organization', id: 'org_1' }, '2026-03-02', 3)).toEqual(smsDailyShardKey('org_1', '2026-03-02', 3));
    expect(smsDailyShardItem.key({ level: 'account', id: 'acc_1' }, '2026-03-02', 3)).toEqual(smsAccountDailyShardKey('acc_1', '2026-03-02', 3));
    expect(smsDailyShardItem.key({ level: 'deployment', id: '' }, '2026-03-02', 3)).toEqual(smsDeploymentDailyShardKey('2026-03-02', 3));
  });

  it('keep the e-mail channel on items of its own, never an SMS one', () => {
    const item = smsSubjectItem.toItem({ channel: 'email', orgId: 'org_1', subjectHash: 'h', sentAt: [1], expectedVersion: 0, expiresAtSeconds: 99 });
    expect(item).toEqual({ ...emailSubjectLimitKey('org_1', 'h'), entity: 'EmailSubjectLimit', sentAt: [1], version: 1, ttl: 99 });
    expect(emailSubjectLimitKey('org_1', 'h')).not.toEqual(smsSubjectLimitKey('org_1', 'h'));
    expect(smsDailyShardItem.key({ level: 'organization', id: 'org_1' }, '2026-03-02', 3, 'email')).toEqual(emailDailyShardKey('org_1', '2026-03-02', 3));
    expect(smsDailyShardItem.key({ level: 'account', id: 'acc_1' }, '2026-03-02', 3, 'email')).toEqual(emailAccountDailyShardKey('acc_1', '2026-03-02', 3));
    expect(smsDailyShardItem.key({ level: 'deployment', id: '' }, '2026-03-02', 3, 'email')).toEqual(emailDeploymentDailyShardKey('2026-03-02', 3));
    expect(emailDeploymentDailyShardKey('2026-03-02', 3)).not.toEqual(smsDeploymentDailyShardKey('2026-03-02', 3));
  });
});
