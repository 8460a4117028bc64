import { describe, expect, it } from 'vitest';
import { useLocalApi } from '#test/support/local-api.ts';
import { addUser, signInFixture, smsTo, startSignIn } from '#test/support/sign-in.ts';

const api = useLocalApi();

interface EventItem {
  type: string;
  details: Record<string, unknown>;
}

describe('SMS abuse limits', () => {
  it('sends at most one SMS per 30 s to a user: 429 rate_limited with Retry-After', async () => {
    const fx = await signInFixture(api);
    expect((await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name })).status).toBe(202);
    const again = await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name });
    expect(again.status).toBe(429);
    expect(again.body.code).toBe('rate_limited');
    const retryAfter = Number(again.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(await smsTo(api, fx.user.phone)).toHaveLength(1);
    const events = await api.request<{ items: EventItem[] }>('GET', `/v2/accounts/${fx.account.accountId}/events?type=challenge.rate_limited`, {
      token: fx.account.owner.accessToken,
    });
    expect(events.body.items[0]?.details).toMatchObject({ limit: 'interval', system: fx.system.name, userId: fx.user.id });
  });

  it('limits an unknown email exactly like a known one (the limit enumerates nothing)', async () => {
    const fx = await signInFixture(api);
    const body = { email: 'ghost@example.com', system: fx.system.name };
    expect((await startSignIn(api, fx.apikey, body)).status).toBe(202);
    expect((await startSignIn(api, fx.apikey, body)).status).toBe(429);
  });

  it('sends only to allowed countries when the organization has an allow-list', async () => {
    const fx = await signInFixture(api, { settings: { smsAllowedCountries: ['GB', 'DE'] } });
    const french = await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name });
    expect(french.status).toBe(429);
    expect(french.body.code).toBe('rate_limited');
    expect(Number(french.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await smsTo(api, fx.user.phone)).toEqual([]);

    const british = await addUser(api, fx, { overrides: { phone: `+447400${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}` } });
    expect((await startSignIn(api, fx.apikey, { email: british.email, system: fx.system.name })).status).toBe(202);
    expect(await smsTo(api, british.phone)).toHaveLength(1);
  });

  it("caps the organization's SMS per UTC day; Retry-After points at midnight", async () => {
    const fx = await signInFixture(api, { settings: { smsDailyLimit: 2 } });
    const second = await addUser(api, fx);
    const third = await addUser(api, fx);
    expect((await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name })).status).toBe(202);
    expect((await startSignIn(api, fx.apikey, { email: second.email, system: fx.system.name })).status).toBe(202);
    const over = await startSignIn(api, fx.apikey, { email: third.email, system: fx.system.name });
    expect(over.status).toBe(429);
    const now = new Date();
    const toMidnight = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000;
    expect(Math.abs(Number(over.headers.get('retry-after')) - toMidnight)).toBeLessThan(5);
    expect(await smsTo(api, third.phone)).toEqual([]);
  });

  it('a daily limit of 0 sends nothing at all', async () => {
    const fx = await signInFixture(api, { settings: { smsDailyLimit: 0 } });
    expect((await startSignIn(api, fx.apikey, { email: fx.user.email, system: fx.system.name })).status).toBe(429);
  });
});
