/**
 * The console's frame and session (SPEC §10): sign in with a password, the operator's menu and the
 * organization picker, the selection kept in the URL across a reload, the silent refresh, and sign
 * out ending the session on the server. No token is ever readable by script or stored.
 */
import { describe, expect, it } from 'vitest';
import { expectData } from '#test/support/local-api.ts';
import { checkPage, newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';

const { api, open } = useConsole();

describe('console shell', () => {
  it('signs in, sets the organization, keeps it across a reload, and signs out for good', async () => {
    const account = await newAccount(api);
    const owner = api.as(account.owner.accessToken);
    const first = expectData(await owner.POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId: account.accountId } }, body: { name: 'Acme Retail' } }), 201);
    expectData(await owner.POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId: account.accountId } }, body: { name: 'Globex' } }), 201);

    const { page, context, done } = await open('/');
    await page.waitForURL(/\/login$/);
    await signInWithPassword(page, account.owner.email, account.owner.password);
    expect(new URL(page.url()).pathname).toBe(`/accounts/${account.accountId}`);

    await page.getByRole('button', { name: /Set Organization/ }).click();
    await page.getByRole('menuitemradio', { name: 'Acme Retail' }).click();
    await page.waitForURL(new RegExp(`/organizations/${first.id}/systems$`));
    await expect.poll(() => page.getByRole('button', { name: /Set Organization/ }).textContent()).toContain('Acme Retail');

    // Reload: the token is gone from memory, the cookie brings the session back, the URL the selection.
    await page.reload();
    await expect.poll(() => page.getByRole('button', { name: /Set Organization/ }).textContent()).toContain('Acme Retail');
    await page.getByRole('button', { name: /Set Organization/ }).click();
    expect(await page.getByRole('menuitemradio', { name: 'Acme Retail' }).getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('Escape');

    // Nothing a script can read holds a token.
    const stored = await page.evaluate<{ local: string; session: string; cookies: string }>(
      '({ local: JSON.stringify(Object.assign({}, localStorage)), session: JSON.stringify(Object.assign({}, sessionStorage)), cookies: document.cookie })',
    );
    expect(stored).toEqual({ local: '{}', session: '{}', cookies: '' });
    const cookies = await context.cookies();
    const refresh = cookies.find((cookie) => cookie.name === '__Secure-portcullis-refresh');
    expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/v2/auth' });
    expect(page.url()).not.toContain(refresh?.value ?? '∅');

    await checkPage(page, 'organization systems page');

    // A console path that is no page: the shell stays, with a way back, and passes axe too.
    await page.goto('/accounts/no-such/page/at/all');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await page.getByRole('button', { name: /Operator menu/ }).waitFor();
    await checkPage(page, 'not-found page');

    await page.getByRole('button', { name: /Operator menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    // Signed out on the server: the old refresh token no longer works, and the cookie is gone.
    const replay = await fetch(`${api.url()}/v2/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-refresh-token-mode': 'cookie', cookie: `__Secure-portcullis-refresh=${refresh?.value ?? ''}` },
      body: '{}',
    });
    expect(replay.status).toBe(401);
    expect((await context.cookies()).some((cookie) => cookie.name === '__Secure-portcullis-refresh')).toBe(false);
    await page.reload();
    await page.waitForURL(/\/login/);
    await done();
  });

  it('answers an unknown console path with the app, and refuses a missing asset', async () => {
    const { page, done } = await open('/no/such/page');
    await page.waitForURL(/\/login\?next=/);
    const asset = await fetch(`${api.url()}/assets/missing.js`);
    expect(asset.status).toBe(404);
    const index = await fetch(`${api.url()}/accept?token=x`);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    await done();
  });
});
