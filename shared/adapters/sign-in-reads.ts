import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accessGrantKey, challengeKey, endUserEmailKey, endUserKey, organizationKey, signInStateKey, smsSubjectLimitKey, systemKey, type ItemKey } from '../data/keys.ts';
import type { SignInReads, SignInSnapshot, SignInSnapshotQuery } from '../domain/sign-in/challenges.ts';
import { guardGrantAttribute } from './items/email-guard-item.ts';
import { toEndUser } from './items/end-user-item.ts';
import { toSystem } from './items/system-item.ts';
import { toOrganization } from './items/organization-item.ts';
import { toChallenge, toSignInState } from './challenge-repository.ts';
import { batchGetItems } from './dynamodb.ts';
import { toSubjectSends } from './sms-limit-repository.ts';

/**
 * Everything a sign-in reads, in one strongly consistent BatchGetItem instead of one GetItem each (the
 * benchmark's round-trip target): organization, system, the email's guard (which carries its user's
 * sign-in copy and grants: see DirectoryRepository), the challenge and the subject's SMS sends when
 * asked. A second BatchGetItem, by the guard's user id, reads the user and grant items only for a
 * guard written before the copy existed, and the sign-in state when asked (complete without a
 * challenge id). An unknown email reads nothing more than a known one.
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
      ...(query.challengeId ? { challenge: challengeKey(query.challengeId) } : {}),
      ...(query.subjectHash ? { subject: smsSubjectLimitKey(orgId, query.subjectHash) } : {}),
    };
    const one = await this.batchGet(first);
    const guard = one.guard;
    const copied = guard?.signInCopy === true;
    const userId = (guard?.userId as string | undefined) ?? query.decoyUserId;
    const second = {
      ...(guard && !copied ? { user: endUserKey(orgId, userId), grant: accessGrantKey(orgId, systemName, userId) } : {}),
      ...(query.withState ? { state: signInStateKey(orgId, userId, systemName) } : {}),
    };
    const two = Object.keys(second).length > 0 ? await this.batchGet(second) : {};

    const organization = one.organization?.status === 'active' ? toOrganization(one.organization) : undefined;
    const system = one.system ? toSystem(one.system) : undefined;
    const userItem = copied ? (guard.user as Record<string, unknown> | undefined) : two.user;
    const found = guard && userItem ? toEndUser(userItem) : undefined;
    const user = found && found.id === userId && found.email.toLowerCase() === email.toLowerCase() ? found : undefined;
    // As DirectoryRepository.hasAccess: the grant counts only while its system (same incarnation) and user exist.
    const incarnation = copied ? guard[guardGrantAttribute(systemName)] : two.grant?.incarnation;
    const granted = one.system !== undefined && user !== undefined && incarnation !== undefined && incarnation === one.system.incarnation;
    return {
      organization,
      system,
      user,
      granted,
      ...(query.challengeId ? { challenge: one.challenge ? toChallenge(one.challenge) : undefined } : {}),
      ...(query.withState ? { state: two.state ? toSignInState(two.state) : undefined } : {}),
      ...(query.subjectHash ? { subjectSends: one.subject ? toSubjectSends(one.subject) : undefined } : {}),
    };
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
