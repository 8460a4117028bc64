import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from '#shared/schemas/zod.ts';
import { accessGrantKey, emailSuppressionKey, endUserEmailKey, endUserKey, organizationKey, systemKey, type ItemKey } from '../data/keys.ts';
import type { Challenge, SignInState } from '../domain/sign-in/model.ts';
import type { SignInReads, SignInSnapshot, SignInSnapshotQuery } from '../domain/sign-in/sign-in-facts.ts';
import { guardGrantAttribute } from './items/email-guard-item.ts';
import { toEndUser } from './items/end-user-item.ts';
import { fromSystemItem, toSystem } from './items/system-item.ts';
import { isGrantLive } from '../domain/directory/grants.ts';
import { batchGetItems } from './dynamodb.ts';
import * as challengeItem from './items/challenge-item.ts';
import { parseItem } from './dynamodb.ts';
import * as signInStateItem from './items/sign-in-state-item.ts';
import * as smsSubjectItem from './items/sms-subject-item.ts';
import { toOrganization } from './items/organization-item.ts';

/**
 * What a sign-in reads of the email guard (the directory's EndUserEmail item, directory-repository.ts):
 * whose email it is and, once the guard carries it, the user's sign-in copy.
 */
const EmailGuardFields = z.object({
  userId: z.string(),
  signInCopy: z.optional(z.boolean()),
  user: z.optional(z.record(z.string(), z.unknown())),
});

/**
 * The one read path of a sign-in's facts. Everything a sign-in reads, in one strongly consistent
 * BatchGetItem instead of one GetItem each (the benchmark's round-trip target): organization, system,
 * the email's guard (which carries its user's sign-in copy and grants: see end-user-repository.ts), the
 * challenge, the subject's SMS and e-mail sends and the email's suppression item when asked. A second BatchGetItem, by the guard's user id,
 * reads the user and grant items only for a guard written before the copy existed, and the sign-in
 * state when asked (complete without a challenge id). An unknown email reads nothing more than a
 * known one. A complete reads the challenge or the state afresh, one GetItem each, when it needs to.
 */
export class SignInReadRepository implements SignInReads {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(query: SignInSnapshotQuery): Promise<SignInSnapshot> {
    const { organizationId: orgId, systemName, email } = query;
    const first = {
      organization: organizationKey(orgId),
      system: systemKey(orgId, systemName),
      guard: endUserEmailKey(orgId, email.toLowerCase()),
      ...(query.challengeId ? { challenge: challengeItem.key(query.challengeId) } : {}),
      ...(query.subjectHash ? { subject: smsSubjectItem.key(orgId, query.subjectHash, 'sms'), emailSubject: smsSubjectItem.key(orgId, query.subjectHash, 'email') } : {}),
      // Keyed by the email asked for, known or not: an unknown email reads exactly what a known one does.
      ...(query.withSuppression ? { suppression: emailSuppressionKey(email.toLowerCase()) } : {}),
    };
    const one = await this.batchGet(first);
    const guardItem = one.guard;
    const guard = guardItem ? parseItem('EndUserEmail', EmailGuardFields, guardItem) : undefined;
    const copied = guard?.signInCopy === true;
    const userId = guard?.userId ?? query.decoyUserId;
    const second = {
      ...(guard && !copied ? { user: endUserKey(orgId, userId), grant: accessGrantKey(orgId, systemName, userId) } : {}),
      ...(query.withState ? { state: signInStateItem.key(orgId, userId, systemName) } : {}),
    };
    const two = Object.keys(second).length > 0 ? await this.batchGet(second) : {};

    const organization = one.organization?.status === 'active' ? toOrganization(one.organization) : undefined;
    const system = one.system ? toSystem(one.system) : undefined;
    const userItem = copied ? guard.user : two.user;
    const found = guard && userItem ? toEndUser(userItem) : undefined;
    const user = found && found.id === userId && found.email.toLowerCase() === email.toLowerCase() ? found : undefined;
    // The one grant rule (shared/domain/directory/grants.ts), as the directory's hasAccess applies it.
    const incarnation = copied ? guardItem?.[guardGrantAttribute(systemName)] : two.grant?.incarnation;
    const granted = isGrantLive({ systemIncarnation: one.system ? fromSystemItem(one.system).incarnation : undefined, userExists: user !== undefined, grantIncarnation: typeof incarnation === 'string' ? incarnation : undefined });
    return {
      organization,
      system,
      user,
      granted,
      ...(query.challengeId ? { challenge: one.challenge ? challengeItem.fromItem(one.challenge) : undefined } : {}),
      ...(query.withState ? { state: two.state ? signInStateItem.fromItem(two.state) : undefined } : {}),
      ...(query.subjectHash
        ? {
            subjectSends: one.subject ? smsSubjectItem.fromItem(one.subject, 'sms') : undefined,
            emailSubjectSends: one.emailSubject ? smsSubjectItem.fromItem(one.emailSubject, 'email') : undefined,
          }
        : {}),
      // The item's presence is the fact (the feedback function writes it, nothing here reads its details).
      ...(query.withSuppression ? { undeliverable: one.suppression !== undefined } : {}),
    };
  }

  async findChallenge(challengeId: string): Promise<Challenge | undefined> {
    const item = await this.get(challengeItem.key(challengeId));
    return item ? challengeItem.fromItem(item) : undefined;
  }

  async findSignInState(orgId: string, userId: string, systemName: string): Promise<SignInState | undefined> {
    const item = await this.get(signInStateItem.key(orgId, userId, systemName));
    return item ? signInStateItem.fromItem(item) : undefined;
  }

  private async get(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  /** One BatchGetItem of named keys, answered by name. */
  private async batchGet<K extends string>(named: Partial<Record<K, ItemKey>>): Promise<Partial<Record<K, Record<string, unknown>>>> {
    const entries = (Object.entries(named) as [K, ItemKey | undefined][]).filter((entry): entry is [K, ItemKey] => entry[1] !== undefined);
    const found: Partial<Record<K, Record<string, unknown>>> = {};
    for (const item of await batchGetItems(this.db, this.tableName, entries.map(([, key]) => key))) {
      const entry = entries.find(([, key]) => key.pk === item.pk && key.sk === item.sk);
      if (entry) found[entry[0]] = item;
    }
    return found;
  }
}
