/**
 * Admins in the browser (SPEC §10): invite an admin with a role and a scope, see them join with MFA
 * "Off", hand them a **Link to QR** (the API's enrolment page opens), reset the 2FA of a member who
 * enrolled, end a member's sessions; a viewer sees the list without the owner's actions, and a page
 * that offers an action its operator may no longer take shows the API's refusal.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { mailedInvitationToken } from '#test/support/invitations.ts';
import { createOrganization } from '#test/support/organizations.ts';
import { addMember } from '#test/support/tenancy.ts';
import { enrolOperator } from '#test/support/totp.ts';
import { strongPassword, uniqueEmail } from '#test/support/factories.ts';

const { api, open } = useConsole();

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** Signs in and reloads (see account.test.ts: the sign-in button's announcement, the cookie). */
async function signIn(page: Page, email: string, password: string): Promise<void> {
  await signInWithPassword(page, email, password);
  await page.reload();
  await page.getByRole('button', { name: `Operator menu: ${email}` }).waitFor();
}

async function checkBothWidths(page: Page, label: string): Promise<void> {
  await checkPage(page, `${label} (1280)`);
  await page.setViewportSize({ width: 375, height: 900 });
  await checkPage(page, `${label} (375)`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The Admins row of `email`, and the text of its MFA cell (the fourth). */
const row = (page: Page, email: string) => page.getByRole('grid', { name: 'Admins' }).getByRole('row').filter({ hasText: email });
const mfaCell = (page: Page, email: string) => row(page, email).getByRole('gridcell').nth(2).textContent();

describe('admins', { timeout: 120_000 }, () => {
  it('invites a manager scoped to one organization, who joins with MFA off and gets a Link to QR', async () => {
    const account = await newAccount(api);
    const owner = api.as(account.owner.accessToken);
    const organization = await createOrganization(api, account.accountId, account.owner.accessToken, { name: 'Fabrikam' });
    const { page, context, done } = await open('/');
    await signIn(page, account.owner.email, account.owner.password);
    await page.getByRole('link', { name: 'Admins' }).click();
    await page.getByRole('heading', { level: 1, name: 'Admins' }).waitFor();
    await page.getByText('No pending invitations.').waitFor();
    await checkBothWidths(page, 'admins page');

    const email = uniqueEmail('invited');
    await page.getByLabel('E-mail', { exact: true }).fill(email);
    await page.getByRole('radio', { name: 'Chosen organizations and groups' }).press('Space');
    await page.getByRole('checkbox', { name: 'Fabrikam' }).press('Space');
    await page.getByRole('button', { name: 'Invite admin' }).click();
    await page.getByRole('grid', { name: 'Pending invitations' }).getByRole('rowheader', { name: email }).waitFor();
    const invitations = expectData(await owner.GET('/v2/accounts/{accountId}/invitations', { params: { path: { accountId: account.accountId } } }), 200);
    expect(invitations.items).toEqual([expect.objectContaining({ email, role: 'manager', scope: { organizations: [organization.id], groups: [] } })]);

    // The invited person accepts with the token from their e-mail.
    const password = strongPassword();
    const token = await mailedInvitationToken(api, email);
    const accepted = await api.request<{ accessToken: string }>('POST', '/v2/invitations/accept', { body: { token, password } });
    expect(accepted.status).toBe(200);
    await page.reload();
    await row(page, email).waitFor();
    expect(await row(page, email).textContent()).toContain('Manager');
    expect(await row(page, email).textContent()).toContain('Fabrikam');
    expect(await mfaCell(page, email)).toBe('Off');
    await page.getByText('No pending invitations.').waitFor();

    // Link to QR: the URL is shown once, and Open goes to the member's enrolment page (the API's).
    await page.getByRole('button', { name: `Link to QR for ${email}` }).click();
    const dialog = page.getByRole('dialog');
    const link = dialog.getByLabel('Enrolment link');
    await link.waitFor();
    const url = await link.inputValue();
    expect(url).toMatch(/\/v2\/mfa\/enroll\/pme_/);
    const [enrolment] = await Promise.all([context.waitForEvent('page'), dialog.getByRole('link', { name: 'Open' }).click()]);
    await enrolment.waitForLoadState();
    expect(enrolment.url()).toBe(url);
    expect(await enrolment.getByRole('heading', { level: 1 }).textContent()).toBe('Set up two-factor authentication');
    await enrolment.getByLabel('Password').fill(password);
    await enrolment.getByRole('button', { name: 'Continue' }).click();
    await enrolment.locator('.qr svg').waitFor();
    await enrolment.close();
    await dialog.getByRole('button', { name: 'Close' }).click();
    // Gone once closed: nothing on the page holds it.
    expect(await page.content()).not.toContain(url);
    await done();
  });

  it('resets the 2FA of a member who enrolled and ends a member’s sessions', async () => {
    const account = await newAccount(api);
    const owner = api.as(account.owner.accessToken);
    const member = await addMember(api, account.accountId, 'manager');
    await enrolOperator(api, member.accessToken, member.password);
    const other = await addMember(api, account.accountId, 'viewer');
    const login = await api.request<{ refreshToken: string }>('POST', '/v2/auth/login', { body: { email: other.email, password: other.password } });
    const { page, done } = await open('/');
    await signIn(page, account.owner.email, account.owner.password);
    await page.getByRole('link', { name: 'Admins' }).click();
    await row(page, member.email).waitFor();
    expect(await mfaCell(page, member.email)).toBe('On');

    await page.getByRole('button', { name: `Reset MFA of ${member.email}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await mfaCell(page, member.email)).toBe('On');
    await page.getByRole('button', { name: `Reset MFA of ${member.email}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset MFA' }).click();
    await poll(() => mfaCell(page, member.email)).toBe('Off');
    const members = expectData(await owner.GET('/v2/accounts/{accountId}/members', { params: { path: { accountId: account.accountId } } }), 200);
    expect(members.items.find((item) => item.userId === member.userId)?.mfa).toEqual({ totp: false });

    await page.getByRole('button', { name: `End sessions of ${other.email}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'End sessions' }).click();
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    const refresh = await api.request('POST', '/v2/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(refresh.status).toBe(401);
    await done();
  });

  it('shows a viewer the list without the owner’s actions, and shows the API’s 403 to a page that offers one too many', async () => {
    const account = await newAccount(api);
    const viewer = await addMember(api, account.accountId, 'viewer');
    const { page, done } = await open('/');
    await signIn(page, viewer.email, viewer.password);
    await page.getByRole('link', { name: 'Admins' }).click();
    await row(page, account.owner.email).waitFor();
    expect(await page.getByRole('button', { name: /Invite admin|Remove|Link to QR|Reset MFA|End sessions|Change role/ }).count()).toBe(0);
    await checkPage(page, 'admins page as a viewer');
    await done();

    // An owner's page, then another owner demotes them: the page still offers Remove, the API refuses.
    // Promoted through the API, so the account counts two owners and one may demote the other.
    const second = await addMember(api, account.accountId, 'manager');
    expectData(
      await api.as(account.owner.accessToken).PATCH('/v2/accounts/{accountId}/members/{userId}', {
        params: { path: { accountId: account.accountId, userId: second.userId } },
        body: { role: 'owner' },
      }),
      200,
    );
    const stale = await open('/');
    await signIn(stale.page, account.owner.email, account.owner.password);
    await stale.page.getByRole('link', { name: 'Admins' }).click();
    await stale.page.getByRole('button', { name: `Remove ${viewer.email}` }).waitFor();
    expectData(
      await api.as(second.accessToken).PATCH('/v2/accounts/{accountId}/members/{userId}', {
        params: { path: { accountId: account.accountId, userId: account.owner.userId } },
        body: { role: 'viewer' },
      }),
      200,
    );
    await stale.page.getByRole('button', { name: `Remove ${viewer.email}` }).click();
    await stale.page.getByRole('alertdialog').getByRole('button', { name: 'Remove admin' }).click();
    await stale.page.getByRole('alertdialog').getByRole('alert').waitFor();
    expect(await stale.page.getByRole('alertdialog').getByRole('alert').textContent()).toMatch(/owner|permission|not allowed|forbidden/i);
    await stale.done();
  });
});
