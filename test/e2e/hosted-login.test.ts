import { describe, expect, it } from 'vitest';
import { authorizationCodes } from '#shared/compose/oidc.ts';
import { loginTransactionKey } from '#shared/data/keys.ts';
import { rawItem } from '#test/support/keys-events.ts';
import { useLocalApi } from '#test/support/local-api.ts';
import { eventsOf } from '#test/support/organizations.ts';
import { authorizeUrl, formOf, FormBrowser, hostedFixture, pkcePair, registerRedirectUris, type HostedFixture, type PageAnswer } from '#test/support/hosted-login.ts';
import { lastEmail, lastLink, lastPin, linkIn, smsTo, wrongPin } from '#test/support/sign-in.ts';
import { uniqueEndUserEmail } from '#test/support/directory.ts';

const api = useLocalApi();

/** Opens the hosted login in a fresh browser: authorize, then its page. */
async function open(fixture: HostedFixture, overrides: Record<string, string | undefined> = {}) {
  const browser = new FormBrowser();
  const url = authorizeUrl(fixture, overrides);
  const started = await browser.get(url);
  expect(started.status).toBe(303);
  expect(started.location).toMatch(new RegExp(`^${fixture.issuer}/oauth2/login\\?login=lgn_[0-9a-f]{32}$`));
  const page = await browser.get(started.location ?? '');
  expect(page.status).toBe(200);
  return { browser, page, state: new URL(url).searchParams.get('state') ?? '', nonce: new URL(url).searchParams.get('nonce') ?? '', url };
}

/** Posts the e-mail and follows to the next page. */
async function enterEmail(browser: FormBrowser, fixture: HostedFixture, page: PageAnswer, email: string): Promise<PageAnswer> {
  const posted = await browser.post(`${fixture.issuer}/oauth2/login`, { ...formOf(page.html), email });
  expect(posted.status).toBe(303);
  return browser.follow(posted, fixture.issuer);
}

const postCode = (browser: FormBrowser, fixture: HostedFixture, page: PageAnswer, code: string) =>
  browser.post(`${fixture.issuer}/oauth2/login`, { ...formOf(page.html), code });

/** What two pages have in common once their per-request values (ids, tokens, masks) are taken out. */
const shapeOf = (html: string) =>
  html
    .replace(/lgn_[0-9a-f]{32}/g, 'LOGIN')
    .replace(/name="form_token" value="[^"]*"/g, 'TOKEN')
    .replace(/<strong>[^<]*<\/strong>/g, 'MASK')
    .replace(/value="[^"]*@[^"]*"/g, 'EMAIL');

describe('hosted login: the authorization request', () => {
  it('shows an error page and never redirects for an unknown client, an unregistered redirect URI or another organization’s client', async () => {
    const fixture = await hostedFixture(api);
    const other = await hostedFixture(api);
    const refused = [
      authorizeUrl(fixture, { client_id: 'no-such-system' }),
      authorizeUrl(fixture, { client_id: undefined }),
      authorizeUrl(fixture, { redirect_uri: 'https://attacker.example/cb' }),
      authorizeUrl(fixture, { redirect_uri: `${fixture.redirectUri}/more` }),
      authorizeUrl(fixture, { redirect_uri: undefined }),
      // Another organization's system and its registered URI, asked of this issuer.
      authorizeUrl({ ...fixture, system: other.system }, { redirect_uri: other.redirectUri }),
      authorizeUrl(fixture, { redirect_uri: other.redirectUri }),
      // Even with the request's own errors, a bad redirect URI is never used.
      authorizeUrl(fixture, { redirect_uri: 'https://attacker.example/cb', code_challenge: undefined, response_type: 'token' }),
    ];
    for (const url of refused) {
      const answer = await new FormBrowser().get(url);
      expect(answer.status, url).toBe(400);
      expect(answer.location).toBeNull();
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(answer.headers.get('set-cookie')).toBeNull();
      expect(answer.html).toContain('<h1>Sign-in unavailable</h1>');
    }
    const unknownOrg = await new FormBrowser().get(authorizeUrl({ ...fixture, issuer: `${api.url()}/v2/organizations/org_00000000000000000000000000000000` }));
    expect(unknownOrg.status).toBe(404);
    expect(unknownOrg.location).toBeNull();
  });

  it('redirects the request’s own errors to the client with error, error_description, state and iss', async () => {
    const fixture = await hostedFixture(api);
    const cases: [Record<string, string | undefined>, string][] = [
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: undefined }, 'invalid_request'],
      [{ code_challenge: 'too-short' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_type: undefined }, 'invalid_request'],
      [{ scope: 'email phone' }, 'invalid_scope'],
      [{ response_mode: 'fragment' }, 'invalid_request'],
    ];
    for (const [overrides, error] of cases) {
      const answer = await new FormBrowser().get(authorizeUrl(fixture, { state: 'xyz', ...overrides }));
      expect(answer.status, JSON.stringify(overrides)).toBe(303);
      const location = new URL(answer.location ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(fixture.redirectUri);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('error_description')).toBeTruthy();
      expect(location.searchParams.get('state')).toBe('xyz');
      expect(location.searchParams.get('iss')).toBe(fixture.issuer);
      expect(location.searchParams.get('code')).toBeNull();
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
  });

  it('binds the transaction to the browser: an HttpOnly, SameSite=Lax cookie on the issuer’s oauth2 path; only hashes stored', async () => {
    const fixture = await hostedFixture(api);
    const browser = new FormBrowser();
    const started = await fetch(authorizeUrl(fixture, { login_hint: fixture.user.email }), { redirect: 'manual' });
    const [cookie = ''] = started.headers.getSetCookie();
    expect(cookie).toMatch(/^portcullis_login_[0-9a-f]{32}=[\w-]{40,}; Max-Age=900; /);
    expect(cookie).toContain(`Path=/v2/organizations/${fixture.orgId}/oauth2`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    // The local issuer is http://127.0.0.1: no Secure (an https issuer's cookie has it).
    expect(cookie).not.toContain('Secure');
    const loginId = new URL(started.headers.get('location') ?? '').searchParams.get('login') ?? '';
    const secret = cookie.split(';')[0]?.split('=')[1] ?? '';
    const item = await rawItem(loginTransactionKey(loginId));
    expect(item).toMatchObject({ phase: 'email', organizationId: fixture.orgId, request: { clientId: fixture.system.name, redirectUri: fixture.redirectUri } });
    expect(JSON.stringify(item)).not.toContain(secret);
    expect(typeof item?.ttl).toBe('number');

    // The page: the organization's name, the e-mail field (prefilled from login_hint), a strict CSP.
    browser.cookies.set(cookie.split('=')[0] ?? '', secret);
    const page = await browser.get(started.headers.get('location') ?? '');
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="en">');
    expect(page.html.match(/<h1>/g)).toHaveLength(1);
    expect(page.html).toContain(`value="${fixture.user.email}"`);
    expect(page.html).not.toMatch(/<script|<link|src="http/i);
    expect(JSON.stringify(item)).not.toContain(formOf(page.html).form_token);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`form-action 'self' http://127.0.0.1:9;`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });
});

describe('hosted login: forms', () => {
  it('signs in with the SMS PIN and redirects once with code, state and iss; the code holds the whole grant', async () => {
    const fixture = await hostedFixture(api);
    const { browser, page, state, nonce } = await open(fixture);
    const codePage = await enterEmail(browser, fixture, page, fixture.user.email);
    expect(codePage.status).toBe(200);
    expect(codePage.html).toContain('Enter your code');
    expect(codePage.html).toMatch(/to <strong>\*+\d{2}<\/strong>/);
    expect(codePage.html).toContain('autofocus');

    const done = await postCode(browser, fixture, codePage, await lastPin(api, fixture.user.phone));
    expect(done.status).toBe(303);
    const location = new URL(done.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(fixture.redirectUri);
    expect(location.searchParams.get('state')).toBe(state);
    expect(location.searchParams.get('iss')).toBe(fixture.issuer);
    const code = location.searchParams.get('code') ?? '';
    expect(code).toMatch(/^poc_/);
    // The cookie is cleared, the transaction spent: its page says so.
    expect(browser.cookies.size).toBe(0);
    expect((await browser.get(`${fixture.issuer}/oauth2/login?login=${formOf(codePage.html).login}`)).status).toBe(410);

    const grant = await authorizationCodes().redeem(code);
    expect(grant).toMatchObject({
      organizationId: fixture.orgId,
      accountId: fixture.account.accountId,
      clientId: fixture.system.name,
      redirectUri: fixture.redirectUri,
      scope: ['openid', 'email'],
      nonce,
      userId: fixture.user.id,
      email: fixture.user.email,
      phone: fixture.user.phone,
      amr: expect.arrayContaining(['sms']) as unknown,
    });
    expect(Math.abs((grant?.authTime ?? 0) - Date.now() / 1000)).toBeLessThan(30);
    // The audit log says it was the hosted login.
    const events = await eventsOf(fixture.account.accountId);
    const verified = events.find((event) => event.type === 'challenge.verified');
    expect(verified?.actor).toEqual({ kind: 'key', id: 'hosted-login' });
  });

  it('refuses a POST without the form token, with a wrong one, without the cookie or with another transaction’s cookie', async () => {
    const fixture = await hostedFixture(api);
    const { browser, page } = await open(fixture);
    const other = await open(fixture);
    const form = formOf(page.html);
    const url = `${fixture.issuer}/oauth2/login`;
    const email = fixture.user.email;
    const attempts: [FormBrowser, Record<string, string>][] = [
      [browser, { login: form.login, email }],
      [browser, { login: form.login, form_token: 'x'.repeat(43), email }],
      [browser, { login: form.login, form_token: formOf(other.page.html).form_token, email }],
      [new FormBrowser(), { ...form, email }],
      // The other transaction's browser (its own cookie) with this page's fields.
      [other.browser, { ...form, email }],
    ];
    const before = (await smsTo(api, fixture.user.phone)).length;
    for (const [who, fields] of attempts) {
      const answer = await who.post(url, fields);
      expect(answer.status, JSON.stringify(fields)).toBe(403);
      expect(answer.location).toBeNull();
    }
    // A cross-site form cannot send JSON or text/plain to it either.
    const plain = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `login=${form.login}` });
    expect(plain.status).toBe(415);
    expect(await smsTo(api, fixture.user.phone)).toHaveLength(before);
    expect(await rawItem(loginTransactionKey(form.login))).toMatchObject({ phase: 'email' });
    // The right browser with the right page goes on.
    expect((await enterEmail(browser, fixture, page, email)).html).toContain('Enter your code');
  });

  it('refuses a transaction of one organization posted to another’s issuer', async () => {
    const a = await hostedFixture(api);
    const b = await hostedFixture(api);
    const { browser, page } = await open(a);
    // The browser holds A's cookie; even sent along (a path-less jar), B's pages do not know the transaction.
    const atB = await browser.post(`${b.issuer}/oauth2/login`, { ...formOf(page.html), email: a.user.email });
    expect(atB.status).toBe(410);
    expect((await browser.get(`${b.issuer}/oauth2/login?login=${formOf(page.html).login}`)).status).toBe(410);
    expect(await smsTo(api, a.user.phone)).toHaveLength(0);
    // A made-up login id in the URL sets no cookie (its name would come from the URL).
    const injected = await fetch(`${a.issuer}/oauth2/login?login=${encodeURIComponent('lgn_x=1; Path=/; Max-Age=99999')}`);
    expect(injected.status).toBe(410);
    expect(injected.headers.getSetCookie()).toEqual([]);
  });

  it('walks an unknown e-mail through the same pages as a real one (the engine answers a decoy)', async () => {
    const fixture = await hostedFixture(api);
    const real = await open(fixture);
    const decoy = await open(fixture);
    const realCode = await enterEmail(real.browser, fixture, real.page, fixture.user.email);
    const decoyCode = await enterEmail(decoy.browser, fixture, decoy.page, uniqueEndUserEmail('nobody'));
    expect(decoyCode.status).toBe(realCode.status);
    expect(shapeOf(decoyCode.html)).toBe(shapeOf(realCode.html));
    expect(decoyCode.html).toMatch(/to <strong>\*+\d{2}<\/strong>/);
    const realWrong = await postCode(real.browser, fixture, realCode, '000000');
    const decoyWrong = await postCode(decoy.browser, fixture, decoyCode, '000000');
    expect(decoyWrong.status).toBe(realWrong.status);
    expect(shapeOf(decoyWrong.html)).toBe(shapeOf(realWrong.html));
    expect(decoyWrong.html).toContain('role="alert"');
    expect(decoyWrong.html).toContain('aria-describedby="error"');
  });

  it('keeps a burst of wrong PINs within the engine’s attempt budget, then asks to start again', async () => {
    const fixture = await hostedFixture(api);
    const { browser, page } = await open(fixture);
    const codePage = await enterEmail(browser, fixture, page, fixture.user.email);
    const pin = await lastPin(api, fixture.user.phone);
    const answers = await Promise.all(Array.from({ length: 8 }, () => postCode(browser, fixture, codePage, wrongPin(pin))));
    const wrong = answers.filter((answer) => answer.html.includes('That code is not right'));
    // The policy's 5 attempts, however the burst interleaves; none redirected.
    expect(wrong.length).toBeLessThanOrEqual(5);
    expect(answers.every((answer) => answer.status === 400 && answer.location === null)).toBe(true);
    // The right PIN no longer works on that challenge: the page asks the e-mail again.
    const late = await postCode(browser, fixture, codePage, pin);
    expect(late.location).toBeNull();
    expect(late.html).toContain('name="email"');
    expect(late.html).toContain('role="alert"');
  });

  it('mints one code when the last step is submitted twice at once', async () => {
    const fixture = await hostedFixture(api);
    const { browser, page } = await open(fixture);
    const codePage = await enterEmail(browser, fixture, page, fixture.user.email);
    const pin = await lastPin(api, fixture.user.phone);
    const answers = await Promise.all(Array.from({ length: 4 }, () => postCode(browser, fixture, codePage, pin)));
    const codes = answers.map((answer) => (answer.location ? new URL(answer.location).searchParams.get('code') : null)).filter((code) => code !== null);
    expect(codes).toHaveLength(1);
    expect(answers.filter((answer) => answer.status >= 500)).toEqual([]);
  });
});

describe('hosted login: links', () => {
  it('waits for a link opened on another device; the link page writes nothing until confirmed', async () => {
    const fixture = await hostedFixture(api, { policy: { factors: ['passwordless'] }, passwordlessUrl: 'https://app.example/in' });
    const { browser, page, state } = await open(fixture);
    const waiting = await enterEmail(browser, fixture, page, fixture.user.email);
    expect(waiting.html).toContain('Check your phone');
    const login = formOf(waiting.html).login;
    expect(waiting.html).toContain(`<meta http-equiv="refresh" content="3;url=${fixture.issuer}/oauth2/login?login=${login}">`);

    const link = await lastLink(api, fixture.user.phone);
    expect(link.startsWith(`${fixture.issuer}/oauth2/link?login=${login}&token=`)).toBe(true);
    const phone = new FormBrowser();
    const before = await rawItem(loginTransactionKey(login));
    const shown = await phone.get(link);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('Confirm sign-in');
    expect(shown.html).toContain('127.0.0.1');
    await phone.get(link);
    expect(await rawItem(loginTransactionKey(login))).toEqual(before);
    // Still waiting.
    expect((await browser.get(`${fixture.issuer}/oauth2/login?login=${login}`)).html).toContain('Check your phone');

    // A wrong token spends an attempt and confirms nothing.
    const token = new URL(link).searchParams.get('token') ?? '';
    const forged = await phone.post(`${fixture.issuer}/oauth2/link`, { login, token: 'x'.repeat(43) });
    expect(forged.status).toBe(400);
    expect(forged.html).toContain('no longer valid');

    const confirmed = await phone.post(`${fixture.issuer}/oauth2/link`, { login, token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.html).toContain('return to your other device');
    expect(confirmed.location).toBeNull();
    // The link is spent.
    expect((await phone.post(`${fixture.issuer}/oauth2/link`, { login, token })).status).toBe(404);

    // The waiting browser's next reload collects the code; the phone never gets one.
    const collected = await browser.get(`${fixture.issuer}/oauth2/login?login=${login}`);
    expect(collected.status).toBe(303);
    const location = new URL(collected.location ?? '');
    expect(location.searchParams.get('state')).toBe(state);
    expect(location.searchParams.get('code')).toMatch(/^poc_/);
    expect((await browser.get(`${fixture.issuer}/oauth2/login?login=${login}`)).status).toBe(410);
    // Another browser cannot collect it either.
    expect((await phone.get(`${fixture.issuer}/oauth2/login?login=${login}`)).status).toBe(410);
  });

  it('applies the policy’s ipCidr rules to the browser’s address: a PIN then a link', async () => {
    const fixture = await hostedFixture(api, { policy: { factors: ['passwordless'], rules: [{ if: { ipCidr: ['127.0.0.0/8'] }, factors: ['pin', 'passwordless'] }] },
      passwordlessUrl: 'https://app.example/in',
    });
    const { browser, page } = await open(fixture);
    const codePage = await enterEmail(browser, fixture, page, fixture.user.email);
    expect(codePage.html).toContain('Enter your code');
    const next = await browser.follow(await postCode(browser, fixture, codePage, await lastPin(api, fixture.user.phone)), fixture.issuer);
    expect(next.html).toContain('Check your phone');
    // The link opened in the same browser: it goes on there, to the client.
    const link = await lastLink(api, fixture.user.phone);
    const confirmed = await browser.post(`${fixture.issuer}/oauth2/link`, {
      login: formOf(next.html).login,
      token: new URL(link).searchParams.get('token') ?? '',
    });
    expect(confirmed.status).toBe(303);
    const grant = await authorizationCodes().redeem(new URL(confirmed.location ?? '').searchParams.get('code') ?? '');
    expect(grant?.amr).toEqual(expect.arrayContaining(['sms']));
    expect(grant?.userId).toBe(fixture.user.id);
  });

  it('runs the e-mail factors: an e-mailed PIN, then an e-mailed link to the link page', async () => {
    const fixture = await hostedFixture(api, { policy: { factors: ['email_pin', 'email_link'] }, passwordlessUrl: 'https://app.example/in' });
    const { browser, page } = await open(fixture);
    const codePage = await enterEmail(browser, fixture, page, fixture.user.email);
    expect(codePage.html).toContain('by e-mail to <strong>');
    expect(codePage.html).toMatch(/<strong>[a-z0-9]\*{5}@\*{5}\.[a-z]+<\/strong>/);
    const pin = /sign-in code is (\d+)/.exec((await lastEmail(api, fixture.user.email, /sign-in code/)).text)?.[1] ?? '';
    const waiting = await browser.follow(await postCode(browser, fixture, codePage, pin), fixture.issuer);
    expect(waiting.html).toContain('Check your e-mail');
    const { url, token } = linkIn(await lastEmail(api, fixture.user.email, /sign-in link/));
    expect(url.startsWith(`${fixture.issuer}/oauth2/link?login=${formOf(waiting.html).login}&token=`)).toBe(true);
    const confirmed = await new FormBrowser().post(`${fixture.issuer}/oauth2/link`, { login: formOf(waiting.html).login, token });
    expect(confirmed.html).toContain('return to your other device');
    const collected = await browser.get(`${fixture.issuer}/oauth2/login?login=${formOf(waiting.html).login}`);
    const grant = await authorizationCodes().redeem(new URL(collected.location ?? '').searchParams.get('code') ?? '');
    expect(grant?.amr).toEqual(expect.arrayContaining(['email']));
  });

  it('shows an unknown or malformed link as a page, not an error', async () => {
    const fixture = await hostedFixture(api);
    const answer = await new FormBrowser().get(`${fixture.issuer}/oauth2/link?login=lgn_${'0'.repeat(32)}&token=abc`);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});

describe('hosted login: registration', () => {
  it('takes a redirect URI registered later, exactly as registered', async () => {
    const fixture = await hostedFixture(api);
    const second = 'http://127.0.0.1:9/second?x=1';
    await registerRedirectUris(api, fixture, [fixture.redirectUri, second]);
    const answer = await new FormBrowser().get(authorizeUrl(fixture, { redirect_uri: second, code_challenge: pkcePair().challenge, code_challenge_method: 'plain' }));
    const location = new URL(answer.location ?? '');
    // Its own query is kept; the error is added to it.
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });
});
