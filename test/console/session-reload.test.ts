/**
 * The console survives two refreshes of one cookie (docs/sessions.md "Two refreshes at once"): a page
 * load's refresh whose answer never reached the browser (its page was reloaded first), then the next
 * load sending the same cookie. Before the rotation grace that second refresh was a reuse and signed
 * the person out. This file runs the deployment's default grace (the tests' environment turns it off).
 */
import { describe, expect, it } from 'vitest';
import { REFRESH_ROTATION_GRACE_SECONDS } from '#shared/domain/sessions/refresh-grace.ts';
import { REFRESH_COOKIE } from '#shared/http/session-cookie.ts';
import { newAccount, signInWithPassword, useConsole } from '#test/support/console.ts';
import { expectData } from '#test/support/local-api.ts';

const { api, open } = useConsole({ environment: { SESSION_REFRESH_GRACE_SECONDS: String(REFRESH_ROTATION_GRACE_SECONDS) } });

describe('console: a reload while the page-load refresh is in flight', () => {
  it('keeps the person signed in, in one session that goes on', async () => {
    const account = await newAccount(api);
    const { page, context, done } = await open('/login');
    await signInWithPassword(page, account.owner.email, account.owner.password);
    const accountPage = page.url();

    // The first page load's refresh: the server rotates the cookie, but its answer is lost.
    const cookie = (await context.cookies()).find((item) => item.name === REFRESH_COOKIE)?.value ?? '';
    expect(cookie).toMatch(/^prt_/);
    const lost = await api.raw('POST', '/v2/auth/refresh', { headers: { 'x-refresh-token-mode': 'cookie', cookie: `${REFRESH_COOKIE}=${cookie}` } });
    expect(lost.status).toBe(200);

    // The next load sends the same cookie: the person still sees their account, not the sign-in page.
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(page.url()).toBe(accountPage);
    const renewed = (await context.cookies()).find((item) => item.name === REFRESH_COOKIE)?.value;
    expect(renewed).toMatch(/^prt_/);
    expect(renewed).not.toBe(cookie);

    // And later loads go on from the new cookie, in the same one session.
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(page.url()).toBe(accountPage);
    const sessions = expectData(await api.as(String(lost.body.accessToken)).GET('/v2/me/sessions'), 200).items;
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
    await done();
  });
});
