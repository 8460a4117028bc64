import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mfaEnrollmentKey, operatorTotpKey } from '#shared/data/keys.ts';
import { hashSecret } from '#shared/domain/kernel/secrets.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { expectData, expectProblem, useLocalApi } from '#test/support/local-api.ts';
import { eventsOf } from '#test/support/organizations.ts';
import { strongPassword } from '#test/support/factories.ts';
import { addMember, createAccount } from '#test/support/tenancy.ts';
import { launchBrowser } from '#test/support/browser.ts';
import { decodeQrSvg, referenceCode } from '#test/support/totp.ts';

const api = useLocalApi();

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

async function enrollmentLink(accountId: string, ownerToken: string, userId: string) {
  const response = await api.as(ownerToken).POST('/v2/accounts/{accountId}/members/{userId}/mfa/enrollment', { params: { path: { accountId, userId } } });
  return expectData(response, 201);
}

describe('owner-driven enrolment link', () => {
  it('works end to end in a real browser without JavaScript: password, then QR and secret, code, recovery codes once', async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'manager');
    const link = await enrollmentLink(accountId, owner.accessToken, member.userId);
    expect(link.enrollmentUrl).toMatch(new RegExp(`^${api.url()}/v2/mfa/enroll/pme_[\\w-]{40,}$`));
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600 * 1000);
    // Only the hash of the link's token is stored.
    const token = link.enrollmentUrl.split('/').pop() ?? '';
    const item = await rawItem(mfaEnrollmentKey(hashSecret(token)));
    expect(item).toBeDefined();
    expect(JSON.stringify(item)).not.toContain(token);

    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    const opened = await page.goto(link.enrollmentUrl);
    expect(opened?.status()).toBe(200);
    const csp = opened?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.content();
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
    expect(await page.textContent('body')).toContain(member.email);
    // Opening the link asks the password and shows no secret; it wrote nothing (link scanners open it too).
    expect(await page.locator('#secret').count()).toBe(0);
    expect(await page.locator('input[type=password]').count()).toBe(1);
    await page.goto(link.enrollmentUrl);
    expect(await rawItem(operatorTotpKey(member.userId))).toBeUndefined();
    expect((await eventsOf(accountId)).map((event) => event.type)).not.toContain('mfa.enrolled');

    // A wrong password: the password form again with an error, and still nothing written.
    await page.fill('#password', strongPassword());
    await page.click('button[type=submit]');
    expect(await page.textContent('#error')).toContain('incorrect');
    expect(await page.locator('#secret').count()).toBe(0);
    expect(await rawItem(operatorTotpKey(member.userId))).toBeUndefined();
    expect((await eventsOf(accountId)).map((event) => event.type)).not.toContain('mfa.enrolled');

    await page.fill('#password', member.password);
    await page.click('button[type=submit]');
    expect(violations).toEqual([]);

    // The secret as the member would read it: groups of four.
    const shown = (await page.textContent('#secret')) ?? '';
    expect(shown).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    const secret = shown.replaceAll(' ', '');
    const qr = await decodeQrSvg(browser, await page.innerHTML('.qr'));
    expect(qr).toContain(`secret=${secret}&`);

    // A wrong code shows the same secret again with an error.
    const current = referenceCode(secret);
    await page.fill('#code', current === '000000' ? '111111' : '000000');
    await page.click('button[type=submit]');
    expect(await page.textContent('#error')).toContain('incorrect');
    expect(((await page.textContent('#secret')) ?? '').replaceAll(' ', '')).toBe(secret);

    await page.fill('#code', referenceCode(secret));
    await page.click('button[type=submit]');
    const codes = await page.locator('#recovery-codes li').allTextContents();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect(violations).toEqual([]);

    // One time: the link is spent.
    const reopened = await page.goto(link.enrollmentUrl);
    expect(reopened?.status()).toBe(404);
    await context.close();

    // The member now has 2FA, and one of those recovery codes signs them in.
    const login = expectData(await api.client.POST('/v2/auth/login', { body: { email: member.email, password: member.password } }), 200);
    expect(login).toMatchObject({ mfaRequired: true });
    if (!('mfaRequired' in login)) throw new Error('login answered no mfaToken');
    expectData(await api.client.POST('/v2/auth/mfa', { body: { mfaToken: login.mfaToken, recoveryCode: codes[0] ?? '' } }), 200);
    expect((await eventsOf(accountId)).map((event) => event.type)).toEqual(
      expect.arrayContaining(['mfa.enrollment_link_created', 'mfa.enrolled', 'mfa.confirmed']),
    );
  });

  it("shows the secret and accepts a code only after the member's password, throttled like a login", async () => {
    const { accountId, owner } = await createAccount(api);
    const member = await addMember(api, accountId, 'manager');
    const other = await addMember(api, accountId, 'viewer');
    const link = await enrollmentLink(accountId, owner.accessToken, member.userId);
    const otherLink = await enrollmentLink(accountId, owner.accessToken, other.userId);
    const post = (url: string, fields: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

    // The holder of the link without the password: a code without the page's step token, or with a
    // made-up one, or with the step token of another member's page, gets the password form.
    const withoutPassword: Record<string, string>[] = [{ code: '123456' }, { code: '123456', step: 'pmt_made-up' }];
    for (const fields of withoutPassword) {
      const answer = await post(link.enrollmentUrl, fields);
      expect([400, 401]).toContain(answer.status);
      const html = await answer.text();
      expect(html).toContain('type="password"');
      expect(html).not.toContain('data-secret');
    }
    const otherPage = await (await post(otherLink.enrollmentUrl, { password: other.password })).text();
    const otherStep = /name="step" value="([^"]+)"/.exec(otherPage)?.[1] ?? '';
    expect(otherStep).toMatch(/^pmt_/);
    const crossed = await post(link.enrollmentUrl, { code: '123456', step: otherStep });
    expect(crossed.status).toBe(401);
    expect(await crossed.text()).not.toContain('data-secret');
    expect(await rawItem(operatorTotpKey(member.userId))).toBeUndefined();

    // The page step token is no API credential.
    expectProblem(await api.as(otherStep).POST('/v2/me/mfa/totp/confirm', { body: { code: '123456' } }), 401);

    // Wrong passwords are throttled per account email like logins: at most 10 in 15 minutes.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) statuses.push((await post(link.enrollmentUrl, { password: strongPassword() })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    const throttled = await post(link.enrollmentUrl, { password: member.password });
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).not.toContain('data-secret');
    expect(await rawItem(operatorTotpKey(member.userId))).toBeUndefined();
  });

  it('is for owners of the member’s account only, and unknown links are a 404 page', async () => {
    const { accountId, owner } = await createAccount(api);
    const manager = await addMember(api, accountId, 'manager');
    const createLink = (token: string, userId: string) =>
      api.as(token).POST('/v2/accounts/{accountId}/members/{userId}/mfa/enrollment', { params: { path: { accountId, userId } } });
    expectProblem(await createLink(manager.accessToken, owner.userId), 403);
    const other = await createAccount(api);
    expectProblem(await createLink(other.owner.accessToken, manager.userId), 404);
    // The page itself is HTML for browsers, outside the JSON client: plain fetch.
    const unknown = await fetch(`${api.url()}/v2/mfa/enroll/pme_unknown`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});
