import { describe, expect, it } from 'vitest';
import type { StartSignInInput } from '#client/index.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { addUser, signInFixture, smsTo } from '#test/support/sign-in.ts';

const api = useLocalApi();

/** `POST /v2/user/authenticate` with an access key, through the typed client. */
const startSignIn = (apikey: string, body: StartSignInInput) => api.as({ apikey }).startSignIn(body);

describe('SMS abuse limits', () => {
  it('sends at most one SMS per 30 s to a user: 429 rate_limited with Retry-After', async () => {
    const fx = await signInFixture(api);
    expectData(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name }), 202);
    const again = await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name });
    expectProblem(again, 429, 'rate_limited');
    const retryAfter = Number(again.response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(await smsTo(api, fx.user.phone)).toHaveLength(1);
    const events = await api.as(fx.account.owner.accessToken).GET('/v2/accounts/{accountId}/events', {
      params: { path: { accountId: fx.account.accountId }, query: { type: 'challenge.rate_limited' } },
    });
    expect(expectData(events, 200).items[0]?.details).toMatchObject({ limit: 'interval', system: fx.system.name, userId: fx.user.id });
  });

  it('limits an unknown email exactly like a known one (the limit enumerates nothing)', async () => {
    const fx = await signInFixture(api);
    const body = { email: 'ghost@example.com', system: fx.system.name };
    expectData(await startSignIn(fx.apikey, body), 202);
    expectProblem(await startSignIn(fx.apikey, body), 429, 'rate_limited');
  });

  it('sends only to allowed countries when the organization has an allow-list', async () => {
    const fx = await signInFixture(api, { settings: { smsAllowedCountries: ['GB', 'DE'] } });
    const french = await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name });
    expectProblem(french, 429, 'rate_limited');
    expect(Number(french.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);

    const british = await addUser(api, fx, { overrides: { phone: `+447400${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}` } });
    expectData(await startSignIn(fx.apikey, { email: british.email, system: fx.system.name }), 202);
    expect(await smsTo(api, british.phone)).toHaveLength(1);
  });

  it("caps the organization's SMS per UTC day; Retry-After points at midnight", async () => {
    const fx = await signInFixture(api, { settings: { smsDailyLimit: 2 } });
    const second = await addUser(api, fx);
    const third = await addUser(api, fx);
    expectData(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name }), 202);
    expectData(await startSignIn(fx.apikey, { email: second.email, system: fx.system.name }), 202);
    const over = await startSignIn(fx.apikey, { email: third.email, system: fx.system.name });
    expectProblem(over, 429, 'rate_limited');
    const now = new Date();
    const toMidnight = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000;
    expect(Math.abs(Number(over.response.headers.get('retry-after')) - toMidnight)).toBeLessThan(5);
    expect(await smsTo(api, third.phone)).toEqual([]);
  });

  it('a daily limit of 0 sends nothing at all', async () => {
    const fx = await signInFixture(api, { settings: { smsDailyLimit: 0 } });
    expectProblem(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name }), 429, 'rate_limited');
  });
});
