/**
 * No enumeration (SPEC §6, §4 `deliveredTo`), over HTTP through the local server: a decoy challenge
 * (unknown email, disabled user, user without access) answers exactly like a real one over its whole
 * life — wrong codes are `invalid_credentials` until `maxAttempts`, then `too_many_attempts`; after
 * its TTL `expired` — and `deliveredTo` has one shape for every number, real or decoy. Time moves
 * with a faked `Date` (the local server runs in this process); nothing else is faked.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useLocalApi } from '#test/support/local-api.ts';
import { addUser, completeSignIn, lastPin, signInFixture, startSignIn, wrongPin, type SignInFixture } from '#test/support/sign-in.ts';

const api = useLocalApi();

afterEach(() => {
  vi.useRealTimers();
});

const DELIVERED_TO = /^\*{8}\d{2}$/;

/** A problem body without what names one request or challenge (ids, instance). */
function shapeOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !/id$|^instance$|^requestId$/i.test(key)));
}

/** The fixture's real user, an unknown email, a disabled user and a user without access to the system. */
async function subjects(fx: SignInFixture): Promise<{ label: string; email: string; phone?: string }[]> {
  const token = fx.account.owner.accessToken;
  const disabled = await addUser(api, fx);
  const patched = await api.request('PATCH', `/v2/organizations/${fx.orgId}/users/${disabled.id}`, { token, body: { status: 'disabled' } });
  expect(patched.status).toBe(200);
  const noAccess = await addUser(api, fx, { grant: false });
  return [
    { label: 'real', email: fx.user.email, phone: fx.user.phone },
    { label: 'unknown', email: `nobody.${randomUUID().slice(0, 8)}@example.com` },
    { label: 'disabled', email: disabled.email },
    { label: 'no access', email: noAccess.email },
  ];
}

describe('a decoy challenge runs the same state machine as a real one', () => {
  it('wrong codes answer invalid_credentials until maxAttempts, then too_many_attempts, status and body alike', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['pin'], pin: { length: 6, ttlSeconds: 300, maxAttempts: 3 } } });
    const lives: Record<string, { status: number; body: Record<string, unknown> }[]> = {};
    for (const subject of await subjects(fx)) {
      const started = await startSignIn(api, fx.apikey, { email: subject.email, system: fx.system.name });
      expect(started.status).toBe(202);
      // A wrong code for the real user; any code is wrong for a decoy (its PIN was never sent).
      const wrong = subject.phone ? wrongPin(await lastPin(api, subject.phone)) : '123456';
      const answers = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const answer = await completeSignIn(api, fx.apikey, { email: subject.email, system: fx.system.name, pin: wrong, challengeId: started.body.challengeId });
        answers.push({ status: answer.status, body: shapeOf(answer.body as unknown as Record<string, unknown>) });
      }
      lives[subject.label] = answers;
    }
    const real = lives.real ?? [];
    expect(real.map((answer) => [answer.status, answer.body.code])).toEqual([
      [401, 'invalid_credentials'],
      [401, 'invalid_credentials'],
      [401, 'too_many_attempts'],
      [401, 'too_many_attempts'],
      [401, 'too_many_attempts'],
    ]);
    expect(lives.unknown).toEqual(real);
    expect(lives.disabled).toEqual(real);
    expect(lives['no access']).toEqual(real);
  });

  it('expires after its TTL like a real one', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['pin'], pin: { length: 6, ttlSeconds: 120, maxAttempts: 5 } } });
    const started: { label: string; email: string; challengeId: string; expiresAt: string }[] = [];
    for (const subject of await subjects(fx)) {
      const answer = await startSignIn(api, fx.apikey, { email: subject.email, system: fx.system.name });
      expect(answer.status).toBe(202);
      started.push({ label: subject.label, email: subject.email, challengeId: answer.body.challengeId, expiresAt: answer.body.expiresAt });
    }
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 121_000);
    const answers: Record<string, unknown> = {};
    for (const subject of started) {
      const answer = await completeSignIn(api, fx.apikey, { email: subject.email, system: fx.system.name, pin: '123456', challengeId: subject.challengeId });
      answers[subject.label] = { status: answer.status, body: shapeOf(answer.body as unknown as Record<string, unknown>) };
    }
    expect(answers.real).toMatchObject({ status: 401, body: { code: 'expired' } });
    expect(answers.unknown).toEqual(answers.real);
    expect(answers.disabled).toEqual(answers.real);
    expect(answers['no access']).toEqual(answers.real);
  });
});

describe('deliveredTo', () => {
  it('has one shape for a UK number, a French one and a decoy; a decoy answers the same digits for one email', async () => {
    const fx = await signInFixture(api);
    const uk = await addUser(api, fx, { overrides: { phone: `+447400${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}` } });
    const unknown = `nobody.${randomUUID().slice(0, 8)}@example.com`;
    const delivered: Record<string, string | null> = {};
    for (const [label, email] of [['uk', uk.email], ['fr', fx.user.email], ['decoy', unknown]] as const) {
      const answer = await startSignIn(api, fx.apikey, { email, system: fx.system.name });
      expect(answer.status).toBe(202);
      delivered[label] = answer.body.deliveredTo;
    }
    expect(delivered.uk).toBe(`********${uk.phone.slice(-2)}`);
    expect(delivered.fr).toBe(`********${fx.user.phone.slice(-2)}`);
    for (const value of Object.values(delivered)) expect(value).toMatch(DELIVERED_TO);

    // Asked again (after the SMS window's 30 s), the decoy names the same two digits.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    const again = await startSignIn(api, fx.apikey, { email: unknown, system: fx.system.name });
    expect(again.status).toBe(202);
    expect(again.body.deliveredTo).toBe(delivered.decoy);
  });
});
