import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import { operatorStore } from '#shared/compose/shared.ts';
import { invitations, members } from '#shared/compose/tenancy.ts';
import { accountKey } from '#shared/data/keys.ts';
import type { AuditContext } from '#shared/domain/kernel/audit-events.ts';
import { hashPassword } from '#shared/domain/sessions/passwords.ts';
import { newId } from '#shared/domain/kernel/secrets.ts';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { outboxInvitationToken } from '#test/support/invitations.ts';

const context = (userId: string): AuditContext => ({ actor: { kind: 'operator', id: userId }, requestId: newId('req'), sourceIp: '127.0.0.1' });
const request = { requestId: 'race', sourceIp: '127.0.0.1', principal: { kind: 'anonymous' as const } };

/** The new user id of a new person's accept. */
const userIdOf = (accepted: Awaited<ReturnType<ReturnType<typeof invitations>['accept']>> | undefined) =>
  accepted && 'userId' in accepted ? accepted.userId : undefined;

const outcomes = async <T>(attempts: Promise<T>[]) => {
  const settled = await Promise.allSettled(attempts);
  return {
    fulfilled: settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    codes: settled.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code ?? String(r.reason)] : [])),
  };
};

/** An account with two owners: the signer, and a second operator promoted through the service. */
async function accountWithTwoOwners() {
  const { accountId, userId: first } = await operatorSessions().signUp(signupBody());
  const second = newId('usr');
  const now = new Date().toISOString();
  await operatorStore().createOperatorWithMembership({
    operator: { id: second, email: uniqueEmail('owner'), passwordHash: await hashPassword(strongPassword()), createdAt: now },
    membership: { accountId, userId: second, role: 'manager', scope: 'all', createdAt: now },
  });
  await members().update(accountId, second, { role: 'owner' }, context(first));
  return { accountId, owners: [first, second] as const };
}

async function owners(accountId: string) {
  const { items } = await members().list(accountId, { limit: 100 });
  const { Item } = await documentClient().send(new GetCommand({ TableName: config().tableName, Key: accountKey(accountId), ConsistentRead: true }));
  return { owners: items.filter((member) => member.role === 'owner').map((member) => member.userId), ownerCount: Item?.ownerCount as number };
}

describe('member races on DynamoDB Local', () => {
  it('two owners demoting each other at once leave exactly one owner', async () => {
    for (let round = 0; round < 5; round++) {
      const { accountId, owners: [a, b] } = await accountWithTwoOwners();
      const { fulfilled, codes } = await outcomes([
        members().update(accountId, b, { role: 'viewer' }, context(a)),
        members().update(accountId, a, { role: 'viewer' }, context(b)),
      ]);
      expect(fulfilled).toHaveLength(1);
      expect(codes).toEqual(['last_owner']);
      const after = await owners(accountId);
      expect(after.owners).toHaveLength(1);
      expect(after.ownerCount).toBe(1);
    }
  });

  it('concurrent removals of the last two owners leave exactly one owner', async () => {
    for (let round = 0; round < 5; round++) {
      const { accountId, owners: [a, b] } = await accountWithTwoOwners();
      const { fulfilled, codes } = await outcomes([members().remove(accountId, a, context(b)), members().remove(accountId, b, context(a))]);
      expect(fulfilled).toHaveLength(1);
      expect(codes).toEqual(['last_owner']);
      expect((await owners(accountId)).owners).toHaveLength(1);
      expect((await owners(accountId)).ownerCount).toBe(1);
    }
  });

  it('a demotion racing a removal of the other owner leaves one owner', async () => {
    const { accountId, owners: [a, b] } = await accountWithTwoOwners();
    const { fulfilled, codes } = await outcomes<unknown>([members().update(accountId, a, { role: 'manager' }, context(a)), members().remove(accountId, b, context(a))]);
    expect(fulfilled).toHaveLength(1);
    expect(codes).toEqual(['last_owner']);
    expect((await owners(accountId)).owners).toHaveLength(1);
  });

  it('of concurrent accepts of one invitation by a new person exactly one joins', async () => {
    const { accountId, userId } = await operatorSessions().signUp(signupBody());
    const created = await invitations().create(accountId, { email: uniqueEmail('race'), role: 'owner', scope: 'all' }, context(userId));
    const token = outboxInvitationToken(created.email);
    const { fulfilled, codes } = await outcomes(
      Array.from({ length: 6 }, () => invitations().accept({ token, password: strongPassword() }, request)),
    );
    expect(fulfilled).toHaveLength(1);
    expect(codes).toEqual(Array(5).fill('invitation_used'));
    // One operator for the email, and it is the winner; the owner count moved once.
    expect((await operatorStore().findOperatorByEmail(created.email))?.id).toBe(userIdOf(fulfilled[0]));
    const after = await owners(accountId);
    expect(after.owners.sort()).toEqual([userId, userIdOf(fulfilled[0])].sort());
    expect(after.ownerCount).toBe(2);
  });

  it('of concurrent accepts of one invitation by an existing operator exactly one joins', async () => {
    const inviter = await operatorSessions().signUp(signupBody());
    const invitee = signupBody();
    const { userId: inviteeId } = await operatorSessions().signUp(invitee);
    const created = await invitations().create(inviter.accountId, { email: invitee.email, role: 'viewer', scope: 'all' }, context(inviter.userId));
    const token = outboxInvitationToken(created.email);
    // Signed in as the invitee (what the route's bearer token establishes).
    const signedIn = { ...request, principal: { kind: 'operator' as const, userId: inviteeId, amr: ['pwd'] } };
    const { fulfilled, codes } = await outcomes(Array.from({ length: 6 }, () => invitations().accept({ token }, signedIn)));
    expect(fulfilled).toHaveLength(1);
    expect(codes).toEqual(Array(5).fill('invitation_used'));
    expect((await members().list(inviter.accountId, { limit: 100 })).items).toHaveLength(2);
  });
});
