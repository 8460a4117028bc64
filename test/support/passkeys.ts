/**
 * A passkey written as registration writes one, for matrices that need one to exist (the ceremonies
 * themselves are tested with a real authenticator in operator-passkeys and end-user-passkeys).
 */
import { passkeyRepository } from '#shared/compose/passkeys.ts';
import { randomSecret } from '#shared/domain/kernel/secrets.ts';
import { passkeyIdOf, type PasskeyOwner } from '#shared/domain/passkeys/model.ts';

/** Stores a passkey of `owner` with a random credential; answers its id. */
export async function plantPasskey(owner: PasskeyOwner): Promise<string> {
  const credentialId = randomSecret(16);
  const id = passkeyIdOf(credentialId);
  await passkeyRepository().createPasskey({
    id,
    owner,
    credentialId,
    publicKey: randomSecret(77),
    counter: 0,
    transports: ['internal'],
    backupEligible: false,
    backedUp: false,
    aaguid: '00000000-0000-0000-0000-000000000000',
    rpId: 'localhost',
    name: 'Planted',
    createdAt: new Date().toISOString(),
    lastUsedAt: null,
  });
  return id;
}
