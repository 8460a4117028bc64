/**
 * What the deployment allows above every tenant (SPEC §6 "Above the tenants…"): the SMS countries,
 * the per-account daily SMS cap, mobile numbers only, the quota of organizations per account. An
 * attacker here is a tenant (signup is public) with an owner, a manager or a `manage` key, trying to
 * send SMS the deployer pays for to numbers of its choosing. This file's deployment: SMS to FR and DE
 * only, 3 SMS per account and day, 5 organizations per account.
 */
import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config.ts';
import { race } from '#test/support/concurrency.ts';
import { createEndUser, createSystem, uniquePhone } from '#test/support/directory.ts';
import { createKey } from '#test/support/keys-events.ts';
import { expectData, expectProblem, expectStatus, useLocalApi } from '#test/support/local-api.ts';
import { createOrganization } from '#test/support/organizations.ts';
import { addUser, signInFixture, smsTo } from '#test/support/sign-in.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { codeInSteps, referenceCode } from '#test/support/totp.ts';

const ACCOUNT_DAILY_LIMIT = 3;
const ORGANIZATIONS_PER_ACCOUNT = 5;

const api = useLocalApi({
  environment: {
    [ENV.smsAllowedCountries]: 'FR,DE',
    [ENV.smsAccountDailyLimit]: String(ACCOUNT_DAILY_LIMIT),
    [ENV.organizationsPerAccount]: String(ORGANIZATIONS_PER_ACCOUNT),
  },
});

const startSignIn = (apikey: string, body: { email: string; system: string }) => api.as({ apikey }).startSignIn(body);
/** A British mobile number: valid, mobile, but outside this deployment's countries. */
const britishMobile = () => `+447400${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
const ofOrg = (orgId: string) => ({ params: { path: { orgId } } });

describe('organization settings cannot widen the deployment', () => {
  it('refuses an smsDailyLimit above the per-account cap from an owner, a manager and a manage key (400 naming the field)', async () => {
    const { accountId, owner } = await createAccount(api);
    const create = await api.as(owner.accessToken).POST('/v2/accounts/{accountId}/organizations', {
      params: { path: { accountId } },
      body: { name: 'Greedy', settings: { smsDailyLimit: ACCOUNT_DAILY_LIMIT + 1 } },
    });
    expect(expectProblem(create, 400, 'validation_failed').errors).toEqual([{ field: 'body.settings.smsDailyLimit', message: `must be at most ${ACCOUNT_DAILY_LIMIT} (the deployment's daily SMS cap per account)` }]);

    // Without a value, a new organization gets the default or the account cap, whichever is lower.
    const organization = await createOrganization(api, accountId, owner.accessToken);
    expect(organization.settings.smsDailyLimit).toBe(ACCOUNT_DAILY_LIMIT);

    const manager = await addMember(api, accountId, 'manager');
    const manageKey = await createKey(api, accountId, owner.accessToken, { permissions: ['manage'], organizations: [organization.id] });
    for (const who of [owner.accessToken, manager.accessToken, { apikey: manageKey.key }]) {
      const raised = await api.as(who).PATCH('/v2/organizations/{orgId}', { ...ofOrg(organization.id), body: { settings: { smsDailyLimit: 1_000_000 } } });
      expect(expectProblem(raised, 400, 'validation_failed').errors).toEqual([{ field: 'body.settings.smsDailyLimit', message: expect.stringContaining('must be at most 3') as string }]);
    }
    const lowered = await api.as(manager.accessToken).PATCH('/v2/organizations/{orgId}', { ...ofOrg(organization.id), body: { settings: { smsDailyLimit: 2 } } });
    expect(expectData(lowered, 200).settings.smsDailyLimit).toBe(2);
  });

  it("refuses a country outside the deployment's list (400 naming the entry); a list inside it is kept", async () => {
    const { accountId, owner } = await createAccount(api);
    const created = await api.as(owner.accessToken).POST('/v2/accounts/{accountId}/organizations', {
      params: { path: { accountId } },
      body: { name: 'Wide', settings: { smsAllowedCountries: ['US'] } },
    });
    expect(expectProblem(created, 400, 'validation_failed').errors).toEqual([{ field: 'body.settings.smsAllowedCountries.0', message: "is not among the deployment's SMS countries (DE, FR)" }]);

    const organization = await createOrganization(api, accountId, owner.accessToken);
    const manageKey = await createKey(api, accountId, owner.accessToken, { permissions: ['manage'], organizations: [organization.id] });
    const widened = await api.as({ apikey: manageKey.key }).PATCH('/v2/organizations/{orgId}', { ...ofOrg(organization.id), body: { settings: { smsAllowedCountries: ['FR', 'GB'] } } });
    expect(expectProblem(widened, 400, 'validation_failed').errors).toEqual([{ field: 'body.settings.smsAllowedCountries.1', message: "is not among the deployment's SMS countries (DE, FR)" }]);
    const narrowed = await api.as({ apikey: manageKey.key }).PATCH('/v2/organizations/{orgId}', { ...ofOrg(organization.id), body: { settings: { smsAllowedCountries: ['DE'] } } });
    expect(expectData(narrowed, 200).settings.smsAllowedCountries).toEqual(['DE']);
  });
});

describe("SMS go to the deployment's countries only", () => {
  it("refuses an SMS to a country outside the deployment's list when the organization's list is empty", async () => {
    const fx = await signInFixture(api);
    const british = await addUser(api, fx, { overrides: { phone: britishMobile() } });
    const refused = await startSignIn(fx.apikey, { email: british.email, system: fx.system.name });
    expectProblem(refused, 429, 'rate_limited');
    expect(await smsTo(api, british.phone)).toEqual([]);
    // The French user of the same organization gets hers: it is the country that is refused.
    expectData(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name }), 202);
    expect(await smsTo(api, fx.user.phone)).toHaveLength(1);
  });

  it('refuses a step-up SMS to a country outside the list (TOTP first, then PIN)', async () => {
    const fx = await signInFixture(api, { policy: { factors: ['totp', 'pin'] } });
    const british = await addUser(api, fx, { overrides: { phone: britishMobile() } });
    const owner = api.as(fx.account.owner.accessToken);
    const path = { params: { path: { orgId: fx.orgId, userId: british.id } } };
    const enrolment = expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp', path), 200);
    expectData(await owner.POST('/v2/organizations/{orgId}/users/{userId}/totp/confirm', { ...path, body: { code: referenceCode(enrolment.secret) } }), 200);

    expectData(await startSignIn(fx.apikey, { email: british.email, system: fx.system.name }), 202);
    const stepUp = await api.as({ apikey: fx.apikey }).completeSignIn({ email: british.email, system: fx.system.name, totp: codeInSteps(enrolment.secret, 1) });
    expectProblem(stepUp, 429, 'rate_limited');
    expect(await smsTo(api, british.phone)).toEqual([]);
  });
});

describe('end users have mobile numbers', () => {
  const notMobile = [
    ['UK premium rate', '+449091234567'],
    ['US premium rate', '+19005550123'],
    ['US toll free', '+18005550123'],
    ['UK shared cost', '+448451234567'],
    ['French landline', '+33142685300'],
  ] as const;

  it.each(notMobile)('refuses a %s number on create and on update (400 body.phone)', async (_kind, phone) => {
    const { accountId, owner } = await createAccount(api);
    const organization = await createOrganization(api, accountId, owner.accessToken);
    const users = api.as(owner.accessToken);
    const created = await users.POST('/v2/organizations/{orgId}/users', { ...ofOrg(organization.id), body: { email: `x-${Math.random()}@example.com`, phone } });
    expect(expectProblem(created, 400, 'validation_failed').errors).toEqual([{ field: 'body.phone', message: expect.stringContaining('mobile') as string }]);

    const user = await createEndUser(api, organization.id, owner.accessToken, { phone: uniquePhone() });
    const updated = await users.PATCH('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId: organization.id, userId: user.id } }, body: { phone } });
    expect(expectProblem(updated, 400, 'validation_failed').errors).toEqual([{ field: 'body.phone', message: expect.stringContaining('mobile') as string }]);
  });
});

describe('the per-account daily SMS cap', () => {
  it("stops SMS across the account's organizations, whatever each organization's own limit", async () => {
    const fx = await signInFixture(api);
    const token = fx.account.owner.accessToken;
    // A second organization of the same account, with its own system, users and key.
    const otherOrg = await createOrganization(api, fx.account.accountId, token);
    const other = { account: fx.account, orgId: otherOrg.id, system: await createSystem(api, otherOrg.id, token, { policy: { factors: ['pin'] } }) };
    const otherKey = await createKey(api, fx.account.accountId, token, { permissions: ['authenticate'], organizations: [otherOrg.id] });
    const secondUser = await addUser(api, fx);
    const thirdUser = await addUser(api, other);
    const late = await addUser(api, other);

    expectData(await startSignIn(fx.apikey, { email: fx.user.email, system: fx.system.name }), 202);
    expectData(await startSignIn(fx.apikey, { email: secondUser.email, system: fx.system.name }), 202);
    expectData(await startSignIn(otherKey.key, { email: thirdUser.email, system: other.system.name }), 202);
    const over = await startSignIn(otherKey.key, { email: late.email, system: other.system.name });
    expectProblem(over, 429, 'rate_limited');
    expect(await smsTo(api, late.phone)).toEqual([]);
    const events = await api.as(token).GET('/v2/accounts/{accountId}/events', { params: { path: { accountId: fx.account.accountId }, query: { type: 'challenge.rate_limited' } } });
    expect(expectData(events, 200).items[0]?.details).toMatchObject({ limit: 'account_daily' });

    // Another account is counted apart.
    const elsewhere = await signInFixture(api);
    expectData(await startSignIn(elsewhere.apikey, { email: elsewhere.user.email, system: elsewhere.system.name }), 202);
  });
});

describe('the quota of organizations per account', () => {
  it(`lets exactly one of 20 concurrent creates through at quota - 1 (409 organization_quota_exceeded); a delete frees a place`, async () => {
    const { accountId, owner } = await createAccount(api);
    const existing = [];
    for (let i = 0; i < ORGANIZATIONS_PER_ACCOUNT - 1; i++) existing.push(await createOrganization(api, accountId, owner.accessToken));
    const create = () => api.as(owner.accessToken).POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId } }, body: { name: 'One more' } });
    const outcome = await race(20, create, (result) => result.response.status === 201);
    expect(outcome.winners).toHaveLength(1);
    for (const loser of outcome.losers) {
      if (loser.status !== 'fulfilled') throw loser.reason;
      expectProblem(loser.value, 409, 'organization_quota_exceeded');
    }
    const list = expectData(await api.as(owner.accessToken).GET('/v2/accounts/{accountId}/organizations', { params: { path: { accountId }, query: { limit: 100 } } }), 200);
    expect(list.items).toHaveLength(ORGANIZATIONS_PER_ACCOUNT);

    expectStatus(await api.as(owner.accessToken).DELETE('/v2/organizations/{orgId}', ofOrg(existing[0]?.id ?? '')), 204);
    expectData(await create(), 201);
    expectProblem(await create(), 409, 'organization_quota_exceeded');
  });
});
