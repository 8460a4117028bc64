/**
 * options.ts builds the WebAuthn options without the library (its verifiers weigh about 250 KB in a
 * bundle): these tests hold the hand-built JSON to what @simplewebauthn/server's `generate…Options`
 * give for the same inputs, so the two cannot drift apart unseen.
 */
import { generateAuthenticationOptions, generateRegistrationOptions } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { describe, expect, it } from 'vitest';
import type { Passkey } from '#shared/domain/passkeys/model.ts';
import { CEREMONY_TIMEOUT_MS, creationOptions, newChallenge, requestOptions, SUPPORTED_ALGORITHMS } from '#shared/domain/passkeys/options.ts';

const passkey = (credentialId: string, transports: string[]): Passkey => ({
  id: 'x',
  owner: 'operator:usr_1',
  credentialId,
  publicKey: 'pk',
  counter: 0,
  transports,
  backupEligible: true,
  backedUp: true,
  aaguid: '00000000-0000-0000-0000-000000000000',
  rpId: 'example.com',
  name: 'Laptop',
  createdAt: '2026-12-06T00:00:00.000Z',
  lastUsedAt: null,
});

const rp = { rpId: 'example.com', rpName: 'Portcullis', origins: ['https://example.com'] };
const existing = [passkey('AAECAwQFBgcICQ', ['internal', 'hybrid']), passkey('q83vEjRWeJA', [])];

describe('passkey options without the library', () => {
  for (const residentKey of ['required', 'preferred'] as const) {
    it(`creation options equal generateRegistrationOptions' (residentKey ${residentKey})`, async () => {
      const challenge = newChallenge();
      const ours = await creationOptions(rp, { handle: 'usr_123', name: 'ada@example.com', displayName: 'Ada' }, existing, challenge, residentKey);
      const library = await generateRegistrationOptions({
        rpName: rp.rpName,
        rpID: rp.rpId,
        userName: 'ada@example.com',
        userDisplayName: 'Ada',
        userID: new TextEncoder().encode('usr_123'),
        challenge: isoBase64URL.toBuffer(challenge),
        timeout: CEREMONY_TIMEOUT_MS,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
        authenticatorSelection: { residentKey, userVerification: 'preferred' },
        supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
      });
      expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(JSON.stringify(library)));
    });
  }

  it("request options equal generateAuthenticationOptions', with and without credentials", async () => {
    for (const allow of [[], existing]) {
      const challenge = newChallenge();
      const ours = await requestOptions(rp, allow, challenge);
      const library = await generateAuthenticationOptions({
        rpID: rp.rpId,
        challenge: isoBase64URL.toBuffer(challenge),
        timeout: CEREMONY_TIMEOUT_MS,
        userVerification: 'preferred',
        allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
      });
      expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(JSON.stringify(library)));
    }
  });

  it('challenges are 32 random bytes, base64url, never repeated', () => {
    const challenges = new Set(Array.from({ length: 100 }, newChallenge));
    expect(challenges.size).toBe(100);
    for (const challenge of challenges) expect(isoBase64URL.toBuffer(challenge)).toHaveLength(32);
  });
});
