import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.ts';
import { tokenSigningKeys } from '#shared/compose/platform.ts';
import { documentClient } from '#shared/compose/runtime.ts';
import { operatorSessions } from '#shared/compose/sessions.ts';
import { SessionRepository } from '#shared/adapters/session-repository.ts';
import { keyringKey, refreshFamilyKey, refreshTokenKey, userEmailKey, userKey } from '#shared/data/keys.ts';
import { TOKEN_SIGNING_PURPOSE } from '#shared/domain/platform/keyring.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { signupBody } from '#test/support/factories.ts';

const getItem = async (key: { pk: string; sk: string }) =>
  (await documentClient().send(new GetCommand({ TableName: config().tableName, Key: key, ConsistentRead: true }))).Item;

describe('secrets at rest', () => {
  it('stores the password only as an scrypt hash at OWASP cost', async () => {
    const input = signupBody();
    const { userId } = await operatorSessions().signUp(input);
    const user = await getItem(userKey(userId));
    expect(JSON.stringify(user)).not.toContain(input.password);
    expect(user?.passwordHash).toMatch(/^scrypt\$17\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  });

  it('stores refresh tokens only by their SHA-256, never the secret', async () => {
    const { refreshToken, userId } = await operatorSessions().signUp(signupBody());
    expect(refreshToken).toMatch(/^prt_[\w-]{43}$/);
    const item = await getItem(refreshTokenKey(hashSecret(refreshToken)));
    expect(item).toMatchObject({ userId, status: 'active' });
    expect(JSON.stringify(item)).not.toContain(refreshToken.slice(4));
  });

  it('keeps the token-signing private key only wrapped (no private scalar in the item)', async () => {
    await tokenSigningKeys().signingKey();
    const item = await getItem(keyringKey(TOKEN_SIGNING_PURPOSE));
    expect(item?.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(item?.publicJwk).not.toHaveProperty('d');
    expect(JSON.stringify(item)).not.toMatch(/"d"\s*:/);
    expect(item?.wrappedDataKey).toEqual(expect.any(String));
    expect(item?.encryptedSecret).toEqual(expect.any(String));
  });

  it('writes the email guard, operator, account and membership together', async () => {
    const input = signupBody();
    const { userId, accountId } = await operatorSessions().signUp(input);
    expect(await getItem(userEmailKey(input.email))).toMatchObject({ userId });
    const { Items } = await documentClient().send(
      new QueryCommand({
        TableName: config().tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}` },
      }),
    );
    expect(Items?.map((item) => item.entity as string).sort()).toEqual(['Account', 'Membership']);
  });
});

describe('sessions in the table', () => {
  it('keeps the network of the login and its User-Agent, never the full source address', async () => {
    const { userId } = await operatorSessions().signUp(signupBody());
    const result = await operatorSessions().admit(userId, ['pwd'], { requestId: 'at-rest', sourceIp: '198.51.100.23', userAgent: 'AtRest/1.0' });
    if (!('refreshToken' in result)) throw new Error('expected tokens');
    const token = await getItem(refreshTokenKey(hashSecret(result.refreshToken)));
    const family = await getItem(refreshFamilyKey(String(token?.familyId)));
    expect(family).toMatchObject({ userId, ipPrefix: '198.51.100.0/24', userAgent: 'AtRest/1.0' });
    expect(JSON.stringify(family)).not.toContain('198.51.100.23');
    expect(family?.ttl).toBe(family?.expiresAt);
  });

  it("the rotation's own condition refuses a family past its absolute end, whatever the token's expiry says", async () => {
    const { userId } = await operatorSessions().signUp(signupBody());
    const repository = new SessionRepository(documentClient(), config().tableName);
    const familyId = `fam_rest${String(Date.now())}`;
    const at = Math.floor(Date.now() / 1000);
    const old = { tokenHash: hashSecret(`prt_old-${familyId}`), familyId, userId, status: 'active' as const, expiresAt: at + 3600 };
    await repository.createFamily({ familyId, userId, amr: ['pwd'], revoked: false, expiresAt: at + 10, createdAt: new Date().toISOString() }, old);
    const next = { ...old, tokenHash: hashSecret(`prt_next-${familyId}`), expiresAt: at + 3600 };

    expect(await repository.rotateRefreshToken(old.tokenHash, next, at + 11, new Date().toISOString())).toBe('expired');
    expect(await getItem(refreshTokenKey(old.tokenHash))).toMatchObject({ status: 'active' });

    const usedAt = new Date().toISOString();
    expect(await repository.rotateRefreshToken(old.tokenHash, next, at + 5, usedAt)).toBe('rotated');
    expect(await getItem(refreshFamilyKey(familyId))).toMatchObject({ lastUsedAt: usedAt, revoked: false });
  });
});
