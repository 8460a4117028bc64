import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accessGrantKey, challengeKey, endUserEmailKey, endUserKey, organizationKey, signInStateKey, systemKey, type ItemKey } from '../data/keys.ts';
import type { SignInReads, SignInSnapshot, SignInSnapshotQuery } from '../domain/challenges.ts';
import { toEndUser, toSystem } from './directory-repository.ts';
import { toOrganization } from './organization-repository.ts';
import { toChallenge, toSignInState } from './challenge-repository.ts';
import { batchGetItems } from './dynamodb.ts';

/**
 * Everything a sign-in reads, in two strongly consistent BatchGetItems instead of one GetItem each
 * (the benchmark's round-trip target): first what the request names (organization, system, the
 * email's guard item, the challenge), then what the guard's user id names (user, grant, sign-in
 * state). An unknown email reads a user id that cannot exist, so a decoy costs what a real one does.
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
    };
    const one = await this.batchGet(first);
    const userId = (one.guard?.userId as string | undefined) ?? query.decoyUserId;
    const second = {
      user: endUserKey(orgId, userId),
      grant: accessGrantKey(orgId, systemName, userId),
      ...(query.withState ? { state: signInStateKey(orgId, userId, systemName) } : {}),
    };
    const two = await this.batchGet(second);

    const organization = one.organization?.status === 'active' ? toOrganization(one.organization) : undefined;
    const system = one.system ? toSystem(one.system) : undefined;
    const found = one.guard && two.user ? toEndUser(two.user) : undefined;
    const user = found && found.email.toLowerCase() === email.toLowerCase() ? found : undefined;
    // As DirectoryRepository.hasAccess: the grant counts only while its system (same incarnation) and user exist.
    const granted = one.system !== undefined && two.user !== undefined && two.grant !== undefined && two.grant.incarnation === one.system.incarnation;
    return {
      organization,
      system,
      user,
      granted,
      ...(query.challengeId ? { challenge: one.challenge ? toChallenge(one.challenge) : undefined } : {}),
      ...(query.withState ? { state: two.state ? toSignInState(two.state) : undefined } : {}),
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
