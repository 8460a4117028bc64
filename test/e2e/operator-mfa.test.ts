import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorTotpKey, mfaTokenKey, keyringKey } from '#shared/data/keys.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { TOTP_SECRETS_PURPOSE } from '#shared/domain/mfa/totp.ts';
import { TokenPair } from '#shared/schemas/sessions.ts';
import { rawItem } from '#test/support/keys-events.ts';
import type { RequestBody } from '#client/index.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { eventsOf } from '#test/support/organizations.ts';
import { createAccount } from '#test/support/tenancy.ts';
import { launchBrowser } from '#test/support/browser.ts';
import { codeInSteps, decodeQrSvg, enrolOperator, referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

async function loginForMfa(email: string, password: string): Promise<string> {
  const answer = expectData(await api.client.POST('/v2/auth/login', { body: { email, password } }), 200);
  expect(answer).toEqual({ mfaRequired: true, mfaToken: expect.stringMatching(/^pmt_/) as unknown, methods: ['totp', 'recovery_code'] });
  if (!('mfaRequired' in answer)) throw new Error('login answered no mfaToken');
  return answer.mfaToken;
}

async function me(token: string) {
  return expectData(await api.as(token).GET('/v2/me'), 200).mfa;
}

/** `POST /v2/auth/mfa`: the second step of a login. */
const completeMfa = (body: RequestBody<'/v2/auth/mfa', 'post'>) => api.client.POST('/v2/auth/mfa', { body });
/** `DELETE /v2/me/mfa/totp` as `token`. */
const disableTotp = (token: string, body: RequestBody<'/v2/me/mfa/totp', 'delete'>) => api.as(token).DELETE('/v2/me/mfa/totp', { body });

describe('operator TOTP', () => {
  it('answers a 160-bit secret, its otpauth URI and a QR code that decodes to exactly that URI', async () => {
    const { owner } = await createAccount(api);
    const started = await api.as(owner.accessToken).POST('/v2/me/mfa/totp', { body: { password: owner.password } });
    const { secret, otpauthUri, qrCodeSvg, secretGroups } = expectData(started, 200);
    expect(secret).toMatch(/^[A-Z2-7]{32,}$/);
    expect(secretGroups.replaceAll(' ', '')).toBe(secret);
    expect(secretGroups.split(' ')[0]).toHaveLength(4);
    expect(otpauthUri).toBe(
      `otpauth://totp/Portcullis%20(test):${encodeURIComponent(owner.email)}?secret=${secret}&issuer=Portcullis%20(test)&algorithm=SHA1&digits=6&period=30`,
    );
    expect(qrCodeSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(await decodeQrSvg(browser, qrCodeSvg)).toBe(otpauthUri);
    // Pending until confirmed.
    expect(await me(owner.accessToken)).toEqual({ totp: false, recoveryCodesRemaining: 0 });
  });

  it('asks the password again: wrong → 401, missing → 400 naming body.password', async () => {
    const { owner } = await createAccount(api);
    const client = api.as(owner.accessToken);
    expectProblem(await client.POST('/v2/me/mfa/totp', { body: { password: 'not-the-password-1' } }), 401);
    const missing = expectProblem(await client.POST('/v2/me/mfa/totp', { body: {} }), 400);
    expect(missing.errors?.[0]?.field).toBe('body.password');
    expectStatus(await api.client.POST('/v2/me/mfa/totp', { body: { password: owner.password } }), 401);
  });

  it('confirms with a reference (otpauth) code, then signs in with codes computed by it', async () => {
    const { accountId, owner } = await createAccount(api);
    expectProblem(await api.as(owner.accessToken).POST('/v2/me/mfa/totp/confirm', { body: { code: '12345' } }), 400);
    const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
    expect(enrolled.recoveryCodes).toHaveLength(10);
    expect(await me(owner.accessToken)).toEqual({ totp: true, recoveryCodesRemaining: 10 });

    const mfaToken = await loginForMfa(owner.email, owner.password);
    const signedIn = expectData(await completeMfa({ mfaToken, code: codeInSteps(enrolled.secret, 1) }), 200);
    expect(TokenPair.parse(signedIn)).toBeTruthy();
    const [, payload] = signedIn.accessToken.split('.');
    expect((JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { amr: string[] }).amr).toEqual(['pwd', 'otp']);

    // The token was spent by that success.
    expectProblem(await completeMfa({ mfaToken, code: codeInSteps(enrolled.secret, 1) }), 401, 'invalid_mfa_token');

    const types = (await eventsOf(accountId)).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['mfa.enrolled', 'mfa.confirmed', 'login.succeeded']));
  });

  it('refuses a replay of the code just used, and audits it', async () => {
    const { accountId, owner } = await createAccount(api);
    const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
    const code = codeInSteps(enrolled.secret, 1);
    expectData(await completeMfa({ mfaToken: await loginForMfa(owner.email, owner.password), code }), 200);
    expectProblem(await completeMfa({ mfaToken: await loginForMfa(owner.email, owner.password), code }), 401, 'code_already_used');
    // The confirming code is spent as well.
    expectProblem(await completeMfa({ mfaToken: await loginForMfa(owner.email, owner.password), code: enrolled.usedCode }), 401);
    const events = await eventsOf(accountId);
    expect(events.filter((event) => event.type === 'mfa.replay_rejected').length).toBeGreaterThanOrEqual(1);
    expect(events.find((event) => event.type === 'login.failed')?.details).toEqual({ reason: 'mfa_replayed' });
  });

  it('accepts a recovery code once and counts what is left in GET /v2/me', async () => {
    const { accountId, owner } = await createAccount(api);
    const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
    const recoveryCode = enrolled.recoveryCodes[0] ?? '';
    const used = expectData(await completeMfa({ mfaToken: await loginForMfa(owner.email, owner.password), recoveryCode }), 200);
    expect(await me(used.accessToken)).toEqual({ totp: true, recoveryCodesRemaining: 9 });
    expectProblem(await completeMfa({ mfaToken: await loginForMfa(owner.email, owner.password), recoveryCode }), 401, 'invalid_code');
    const event = (await eventsOf(accountId)).find((e) => e.type === 'mfa.recovery_code_used');
    expect(event?.details).toEqual({ codesLeft: 9 });
  });

  it('regenerates recovery codes (old ones void) and downloads them as text/plain', async () => {
    const { owner } = await createAccount(api);
    const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
    // A text answer: the plain openapi-fetch client with `parseAs: 'text'`, still typed on path and body.
    const download = await api.as(owner.accessToken).fetchClient.POST('/v2/me/mfa/recovery-codes', {
      body: { code: codeInSteps(enrolled.secret, 1) },
      headers: { accept: 'text/plain' },
      parseAs: 'text',
    });
    const { response } = download;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="portcullis-recovery-codes.txt"');
    const fresh = (download.data ?? '').split('\n').filter((line) => /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/.test(line));
    expect(fresh).toHaveLength(10);
    expect(fresh.some((code) => enrolled.recoveryCodes.includes(code))).toBe(false);

    expectProblem(await completeMfa({ mfaToken: await loginForMfa(owner.email, owner.password), recoveryCode: enrolled.recoveryCodes[1] ?? '' }), 401);
    expectData(await completeMfa({ mfaToken: await loginForMfa(owner.email, owner.password), recoveryCode: fresh[0] ?? '' }), 200);
  });

  it('locks the factor after 5 wrong codes, even for the right code, and audits the lock', async () => {
    const { accountId, owner } = await createAccount(api);
    const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
    const right = codeInSteps(enrolled.secret, 1);
    const wrong = right === '000000' ? '111111' : '000000';
    const mfaToken = await loginForMfa(owner.email, owner.password);
    for (let attempt = 0; attempt < 5; attempt++) {
      expectProblem(await completeMfa({ mfaToken, code: wrong }), 401, 'invalid_code');
    }
    expectProblem(await completeMfa({ mfaToken, code: right }), 401, 'too_many_attempts');
    const events = await eventsOf(accountId);
    expect(events.filter((event) => event.type === 'mfa.locked')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'login.failed').map((e) => e.details.reason)).toContain('mfa_locked');
  });

  it('turns TOTP off with the password; login then answers tokens directly', async () => {
    const { accountId, owner } = await createAccount(api);
    await enrolOperator(api, owner.accessToken, owner.password);
    expectProblem(await disableTotp(owner.accessToken, {}), 400);
    expectProblem(await disableTotp(owner.accessToken, { password: 'wrong-password-123' }), 401);
    expectStatus(await disableTotp(owner.accessToken, { password: owner.password }), 204);
    expect(await me(owner.accessToken)).toEqual({ totp: false, recoveryCodesRemaining: 0 });
    const login = await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: owner.password } });
    expect(TokenPair.parse(expectData(login, 200))).toBeTruthy();
    expect((await eventsOf(accountId)).map((event) => event.type)).toContain('mfa.disabled');
  });

  it('turns TOTP off with a current code', async () => {
    const { owner } = await createAccount(api);
    const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
    expectStatus(await disableTotp(owner.accessToken, { code: codeInSteps(enrolled.secret, 1) }), 204);
  });

  it('writes login.failed (bad_password) to the account and keeps no secret in the raw table', async () => {
    const { accountId, owner } = await createAccount(api);
    expectProblem(await api.client.POST('/v2/auth/login', { body: { email: owner.email, password: 'definitely-wrong-1' } }), 401, 'invalid_credentials');
    expect((await eventsOf(accountId)).find((event) => event.type === 'login.failed')?.details).toEqual({ reason: 'bad_password' });

    const enrolled = await enrolOperator(api, owner.accessToken, owner.password);
    const mfaToken = await loginForMfa(owner.email, owner.password);
    const items = [
      await rawItem(operatorTotpKey(owner.userId)),
      await rawItem(mfaTokenKey(hashSecret(mfaToken))),
      await rawItem(keyringKey(TOTP_SECRETS_PURPOSE)),
    ];
    expect(items[0]).toBeDefined();
    expect(items[1]).toBeDefined();
    const raw = JSON.stringify(items, (_key, value: unknown) => (value instanceof Set ? [...(value as Set<string>)] : value));
    expect(raw).not.toContain(enrolled.secret);
    expect(raw).not.toContain(mfaToken);
    for (const code of enrolled.recoveryCodes) {
      expect(raw).not.toContain(code);
      expect(raw).not.toContain(code.replaceAll('-', ''));
    }
    // The item holds the sealed secret and only hashes of the codes.
    expect(items[0]?.recoveryCodes).toBeInstanceOf(Set);
    expect((items[0]?.recoveryCodes as Set<string>).size).toBe(10);
    expect(referenceCode(enrolled.secret)).toMatch(/^\d{6}$/);
  });
});
