/**
 * The deployment's daily SMS cap (SPEC §6): however many accounts signup makes, together they send no
 * more than the deployment allows, so one tenant cannot drain the SNS spending limit and stop SMS
 * sign-in for every other. A table of its own (a deployment of its own): no other test file's SMS
 * count against this one's cap of 4; 3 per account.
 */
import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { addUser, signInFixture, smsTo } from '#test/support/sign-in.ts';

const api = useLocalApi({
  ownTable: true,
  environment: { [ENV.smsDeploymentDailyLimit]: '4', [ENV.smsAccountDailyLimit]: '3' },
});

const startSignIn = (apikey: string, body: { email: string; system: string }) => api.as({ apikey }).startSignIn(body);

describe("the deployment's daily SMS cap", () => {
  it('stops SMS across accounts once the deployment sent its cap, each account under its own', async () => {
    const first = await signInFixture(api);
    const firstUsers = [first.user, await addUser(api, first), await addUser(api, first)];
    for (const user of firstUsers) expectData(await startSignIn(first.apikey, { email: user.email, system: first.system.name }), 202);

    // A second account (signup is public): one SMS left in the deployment, then none.
    const second = await signInFixture(api);
    const late = await addUser(api, second);
    expectData(await startSignIn(second.apikey, { email: second.user.email, system: second.system.name }), 202);
    const over = await startSignIn(second.apikey, { email: late.email, system: second.system.name });
    expectProblem(over, 429, 'rate_limited');
    expect(Number(over.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await smsTo(api, late.phone)).toEqual([]);
    const events = await api.as(second.account.owner.accessToken).GET('/v2/accounts/{accountId}/events', {
      params: { path: { accountId: second.account.accountId }, query: { type: 'challenge.rate_limited' } },
    });
    expect(expectData(events, 200).items[0]?.details).toMatchObject({ limit: 'deployment_daily' });

    // A third account gets nothing either.
    const third = await signInFixture(api);
    expectProblem(await startSignIn(third.apikey, { email: third.user.email, system: third.system.name }), 429, 'rate_limited');
    expect(await smsTo(api, third.user.phone)).toEqual([]);
  });
});
