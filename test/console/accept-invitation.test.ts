/**
 * Accepting an invitation in the console (SPEC §10): the e-mailed link's token leaves the address bar;
 * a new person chooses a password and lands signed in on the inviting account; someone who already has
 * a login is asked to sign in, then joins.
 */
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, useConsole } from '#test/support/console.ts';
import { expectNoToken, pathOf } from '#test/support/console-links.ts';
import { strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { inviteByEmail } from '#test/support/invitations.ts';
import { lastEmail, linkIn } from '#test/support/sign-in.ts';
import { logIn } from '#test/support/tenancy.ts';

const { api, open } = useConsole();

describe('console: accepting an invitation', () => {
  it('lets a new person choose a password and lands them signed in on the inviting account', async () => {
    const account = await newAccount(api);
    const email = uniqueEmail('invitee');
    const invitation = await inviteByEmail(api, account.owner.accessToken, account.accountId, { email, role: 'manager', scope: 'all' });
    const link = linkIn(await lastEmail(api, email, /invited to join/));

    const { page, done } = await open(pathOf(link.url));
    await expectNoToken(page, invitation.token);
    await checkPage(page, 'accept page 1280');
    await page.setViewportSize({ width: 375, height: 900 });
    await checkPage(page, 'accept page 375');
    await page.setViewportSize({ width: 1280, height: 900 });
    const password = strongPassword();
    await page.getByLabel('Choose a password').fill(password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.waitForURL(new RegExp(`/accounts/${account.accountId}$`));

    const me = expectData(await api.as(await logIn(api, email, password)).GET('/v2/me'), 200);
    expect(me.memberships).toEqual([expect.objectContaining({ accountId: account.accountId, role: 'manager' })]);
    await done();
  });

  it('asks someone who already has a login to sign in, then joins them to the account', async () => {
    const inviting = await newAccount(api);
    const existing = await newAccount(api);
    await inviteByEmail(api, inviting.owner.accessToken, inviting.accountId, { email: existing.owner.email, role: 'viewer', scope: 'all' });
    const link = linkIn(await lastEmail(api, existing.owner.email, /invited to join/));

    const { page, done } = await open(pathOf(link.url));
    await page.getByLabel('Choose a password').fill(strongPassword());
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByRole('status').filter({ hasText: 'already has a login' }).waitFor();
    await page.getByLabel('Email').fill(existing.owner.email);
    await page.getByLabel('Password').fill(existing.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/accounts/${inviting.accountId}$`));

    const me = expectData(await api.as(await logIn(api, existing.owner.email, existing.owner.password)).GET('/v2/me'), 200);
    expect(me.memberships.map((membership) => membership.accountId).sort()).toEqual([inviting.accountId, existing.accountId].sort());
    await done();
  });
});
