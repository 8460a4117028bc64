/**
 * What a session says it took (RFC 8176 `amr`) when an operator signs in with a passkey WITHOUT user
 * verification and then gives the TOTP code the gate asks: the key and the code, never a password.
 * A real ceremony in Chromium's virtual authenticator, the client asking it not to verify its user.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectData, useLocalApi } from '#test/support/local-api.ts';
import { createAccount } from '#test/support/tenancy.ts';
import { codeInSteps, enrolOperator } from '#test/support/totp.ts';
import { closeBrowser, openWebAuthnPage } from '#test/support/webauthn.ts';

const api = useLocalApi();

afterAll(closeBrowser);

/** The console's origin as browsers see it (WebAuthn refuses IP addresses). */
const origin = (): string => `http://localhost:${new URL(api.url()).port}`;

const amrOf = (accessToken: string): unknown => {
  const payload = accessToken.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { amr?: unknown }).amr;
};

describe('operator passkey without user verification, then TOTP', () => {
  it('starts a session whose amr is hwk user otp mfa, in the access token and in the session list; a password login reads pwd', async () => {
    const { owner } = await createAccount(api);
    const page = await openWebAuthnPage(origin());
    try {
      const creation = expectData(await api.as(owner.accessToken).POST('/v2/me/passkeys/options'), 200);
      const credential = await page.create(creation.publicKey);
      expectData(await api.as(owner.accessToken).POST('/v2/me/passkeys', { body: { flowId: creation.flowId, name: 'Key', response: credential as never } }), 201);
      const enrolled = await enrolOperator(api, owner.accessToken, owner.password);

      const request = expectData(await api.client.POST('/v2/auth/passkey/options'), 200);
      const assertion = await page.get({ ...request.publicKey, userVerification: 'discouraged' });
      const step = await api.raw('POST', '/v2/auth/passkey', { body: { flowId: request.flowId, response: assertion } });
      expect(step.body).toMatchObject({ mfaRequired: true });
      const session = expectData(await api.client.POST('/v2/auth/mfa', { body: { mfaToken: String(step.body.mfaToken), code: codeInSteps(enrolled.secret, 1) } }), 200);

      expect(amrOf(session.accessToken)).toEqual(['hwk', 'user', 'otp', 'mfa']);
      const sessions = expectData(await api.as(session.accessToken).GET('/v2/me/sessions'), 200).items;
      expect(sessions.find((item) => item.current)?.amr).toEqual(['hwk', 'user', 'otp', 'mfa']);
      // A password login of the same person still reads as it always did.
      const login = expectData(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } }), 200);
      const recoveryCode = enrolled.recoveryCodes[0] ?? '';
      const viaPassword = expectData(await api.client.POST('/v2/auth/mfa', { body: { mfaToken: (login as { mfaToken: string }).mfaToken, recoveryCode } }), 200);
      expect(amrOf(viaPassword.accessToken)).toEqual(['pwd', 'mfa']);
    } finally {
      await page.close();
    }
  });
});
