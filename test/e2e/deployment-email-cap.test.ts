/**
 * The deployment's daily caps on sign-in e-mails (SPEC §8: e-mail limits mirror the SMS ones): one per
 * account (which also bounds a new organization's default `emailDailyLimit`) and one for the whole
 * deployment, above every organization's `emailDailyLimit`. A table of
 * its own (a deployment of its own): no other test file's e-mails count against this one's cap of 3;
 * 2 per account. SMS are counted apart: a full e-mail day leaves SMS sign-in alone.
 */
import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config.ts';
import { eventsOf } from '#test/support/organizations.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { addUser, emailsTo, signInFixture, smsTo } from '#test/support/sign-in.ts';

const api = useLocalApi({
  ownTable: true,
  environment: { [ENV.emailDeploymentDailyLimit]: '3', [ENV.emailAccountDailyLimit]: '2' },
});

const policy = { policy: { factors: ['email_pin'], rules: [{ if: { resource: ['sms'] }, factors: ['pin'] }] } };
const startSignIn = (apikey: string, body: { email: string; system: string; context?: Record<string, string> }) => api.as({ apikey }).startSignIn(body);

describe("the deployment's daily sign-in e-mail caps", () => {
  it("bounds a new organization's emailDailyLimit by the account cap, stops e-mails there, then at the deployment cap across accounts; SMS still go", async () => {
    const first = await signInFixture(api, policy);
    const organization = expectData(await api.as(first.account.owner.accessToken).GET('/v2/organizations/{orgId}', { params: { path: { orgId: first.orgId } } }), 200);
    expect(organization.settings.emailDailyLimit).toBe(2);
    const [a, b, c] = [first.user, await addUser(api, first), await addUser(api, first)];
    for (const user of [a, b]) expectData(await startSignIn(first.apikey, { email: user.email, system: first.system.name }), 202);
    // The organization's 2 (its default, min(1,000, the account cap)) are spent.
    expectProblem(await startSignIn(first.apikey, { email: c.email, system: first.system.name }), 429, 'rate_limited');
    expect(await emailsTo(api, c.email)).toEqual([]);
    const limited = (await eventsOf(first.account.accountId)).find((event) => event.type === 'challenge.rate_limited');
    expect(limited?.details).toMatchObject({ limit: 'daily', channel: 'email' });

    // A second account: one e-mail left in the deployment, then none.
    const second = await signInFixture(api, policy);
    const late = await addUser(api, second);
    expectData(await startSignIn(second.apikey, { email: second.user.email, system: second.system.name }), 202);
    expectProblem(await startSignIn(second.apikey, { email: late.email, system: second.system.name }), 429, 'rate_limited');
    expect(await emailsTo(api, late.email)).toEqual([]);
    const full = (await eventsOf(second.account.accountId)).find((event) => event.type === 'challenge.rate_limited');
    expect(full?.details).toMatchObject({ limit: 'deployment_daily', channel: 'email' });

    // The SMS counters are apart: the same user signs in by SMS.
    expectData(await startSignIn(second.apikey, { email: late.email, system: second.system.name, context: { resource: 'sms' } }), 202);
    expect(await smsTo(api, late.phone)).toHaveLength(1);
  });
});
