import { describe, expect, it } from 'vitest';
import { passkeyRepository } from '#shared/compose/passkeys.ts';
import { endUserOwner, operatorOwner, passkeyIdOf, type Passkey, type PasskeyFlow } from '#shared/domain/passkeys/model.ts';
import { newId, randomSecret } from '#shared/domain/kernel/secrets.ts';
import { race } from '#test/support/concurrency.ts';

const flow = (overrides: Partial<PasskeyFlow> = {}): PasskeyFlow => ({
  flowId: newId('pkf'),
  purpose: 'authenticate',
  owner: null,
  challenge: randomSecret(32),
  rpId: 'localhost',
  origins: ['http://localhost:3000'],
  system: null,
  expiresAt: new Date(Date.now() + 300_000).toISOString(),
  ...overrides,
});

const passkey = (owner: string, overrides: Partial<Passkey> = {}): Passkey => {
  const credentialId = randomSecret(16);
  return {
    id: passkeyIdOf(credentialId),
    owner,
    credentialId,
    publicKey: randomSecret(77),
    counter: 0,
    transports: ['internal'],
    backupEligible: false,
    backedUp: false,
    aaguid: '00000000-0000-0000-0000-000000000000',
    rpId: 'localhost',
    name: 'Laptop',
    createdAt: new Date().toISOString(),
    lastUsedAt: null,
    ...overrides,
  };
};

describe('passkey flows on DynamoDB Local', () => {
  it('are consumed once: the second take finds nothing', async () => {
    const stored = flow();
    await passkeyRepository().createFlow(stored);
    const now = new Date().toISOString();
    expect(await passkeyRepository().consumeFlow(stored.flowId, now)).toEqual(stored);
    expect(await passkeyRepository().consumeFlow(stored.flowId, now)).toBeUndefined();
  });

  it('are refused once expired, though the item is still there (TTL deletes late; DynamoDB Local never)', async () => {
    const stored = flow({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    await passkeyRepository().createFlow(stored);
    expect(await passkeyRepository().consumeFlow(stored.flowId, new Date().toISOString())).toBeUndefined();
  });

  it('of 12 concurrent takes of one flow exactly one gets it', async () => {
    const stored = flow();
    await passkeyRepository().createFlow(stored);
    const now = new Date().toISOString();
    const { winners } = await race(12, () => passkeyRepository().consumeFlow(stored.flowId, now), (taken) => taken !== undefined);
    expect(winners).toHaveLength(1);
  });
});

describe('passkeys on DynamoDB Local', () => {
  it('belong to one person only: the same credential cannot be registered twice, by anybody', async () => {
    const first = passkey(operatorOwner(newId('usr')));
    expect(await passkeyRepository().createPasskey(first)).toBe(true);
    expect(await passkeyRepository().createPasskey({ ...first, owner: endUserOwner(newId('org'), newId('eu')) })).toBe(false);
    expect((await passkeyRepository().findPasskey(first.id))?.owner).toBe(first.owner);
  });

  it('are listed per owner, renamed and removed by their owner only', async () => {
    const owner = operatorOwner(newId('usr'));
    const other = operatorOwner(newId('usr'));
    const mine = passkey(owner);
    await passkeyRepository().createPasskey(mine);
    await passkeyRepository().createPasskey(passkey(other));
    expect((await passkeyRepository().listPasskeysOf(owner)).map((p) => p.id)).toEqual([mine.id]);
    expect(await passkeyRepository().renamePasskey(mine.id, other, 'Stolen')).toBeUndefined();
    expect((await passkeyRepository().renamePasskey(mine.id, owner, 'Phone'))?.name).toBe('Phone');
    expect(await passkeyRepository().deletePasskey(mine.id, other)).toBe(false);
    expect(await passkeyRepository().deletePasskey(mine.id, owner)).toBe(true);
    expect(await passkeyRepository().findPasskey(mine.id)).toBeUndefined();
  });

  it('record a use only over the counter that was read: a second use with the same counter is refused', async () => {
    const stored = passkey(operatorOwner(newId('usr')), { counter: 5 });
    await passkeyRepository().createPasskey(stored);
    const at = new Date().toISOString();
    const { winners } = await race(8, () => passkeyRepository().recordUse(stored.id, 5, { counter: 6, backedUp: false, at }), (ok) => ok);
    expect(winners).toHaveLength(1);
    const after = await passkeyRepository().findPasskey(stored.id);
    expect(after).toMatchObject({ counter: 6, lastUsedAt: at });
  });
});
