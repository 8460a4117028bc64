/**
 * The hosted login's passkey step as HTML (SPEC §9, §11): the one script any hosted page runs, allowed
 * by its hash and by nothing broader; the options in a data block nothing can break out of; and the
 * rule that decides whether the hosted login may carry a system's passkeys at all.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromLoginTransactionItem, toLoginTransactionItem } from '#shared/adapters/items/login-transaction-item.ts';
import { hostedPasskeyOrigin, type Frame, type LoginOutcome } from '#shared/domain/oidc/hosted-login.ts';
import { formTokenOf, newLoginTransaction } from '#shared/domain/oidc/login-transactions.ts';
import { passkeyFieldOf, renderLogin } from '#shared/http/hosted-login-page.ts';

const LOGIN_ID = `lgn_${'b2'.repeat(16)}`;
const ISSUER = 'https://id.example.com/v2/organizations/org_1';
const frame: Frame = { organizationName: 'Acme', clientId: 'portal', redirectUri: 'https://app.example.com/cb' };
const options = {
  challenge: 'Y2hhbGxlbmdl',
  rpId: 'example.com',
  timeout: 240000,
  userVerification: 'preferred' as const,
  // A value with markup in it: the data block must hold it as data.
  allowCredentials: [{ id: '</script><script>alert(1)</script><!--', type: 'public-key', transports: ['internal'] }],
};

const passkeyPage = (screenOptions: typeof options | null, error?: 'wrong_code'): LoginOutcome => ({
  kind: 'screen',
  status: error ? 400 : 200,
  screen: { kind: 'passkey', loginId: LOGIN_ID, formToken: formTokenOf('s', LOGIN_ID), options: screenOptions, ...(error ? { error } : {}) },
  frame,
});

const scriptsOf = (html: string): string[] => [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? '');

describe('the hosted login’s passkey step page', () => {
  it('runs exactly one inline script, the one its CSP names by hash, and no other page may run any', () => {
    const result = renderLogin(passkeyPage(options), ISSUER);
    const html = String(result.body);
    const csp = result.headers?.['content-security-policy'] ?? '';
    const scripts = scriptsOf(html);
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0] ?? '', 'utf8').digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|script-src[^;]*(\*|'self'|https?:)/);
    // The e-mail page, and the passkey page that cannot run a ceremony, run none.
    const email = renderLogin({ kind: 'screen', status: 200, screen: { kind: 'email', loginId: LOGIN_ID, formToken: 't', email: '' }, frame }, ISSUER);
    expect(email.headers?.['content-security-policy']).not.toContain('script-src');
    const elsewhere = renderLogin(passkeyPage(null), ISSUER);
    expect(elsewhere.headers?.['content-security-policy']).not.toContain('script-src');
    expect(String(elsewhere.body)).not.toContain('<script');
    expect(String(elsewhere.body)).toContain('Passkeys cannot be used here');
  });

  it('holds the options as JSON data that cannot close the block or open another', () => {
    const html = String(renderLogin(passkeyPage(options), ISSUER).body);
    const block = /<script type="application\/json" id="passkey-options">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(block).not.toContain('<');
    expect(JSON.parse(block)).toEqual(options);
    expect(scriptsOf(html)).toHaveLength(1);
  });

  it('shows the button to the script only, says what to do without JavaScript, and announces a refused passkey', () => {
    const html = String(renderLogin(passkeyPage(options, 'wrong_code'), ISSUER).body);
    expect(html).toContain('<h1>Sign in with a passkey</h1>');
    expect(html).toMatch(/<button type="button" id="passkey-button" hidden>Use a passkey<\/button>/);
    expect(html).toMatch(/<noscript>[^<]*<p class="error">Passkeys need JavaScript/);
    expect(html).toMatch(/<p class="error" id="passkey-message" role="alert">We could not sign you in with that passkey/);
    expect(html).toContain('name="passkey" id="passkey-response"');
  });

  it('carries a passkey only where the system’s RP ID covers the hosted login’s host', () => {
    expect(hostedPasskeyOrigin('https://id.example.com', { rpId: 'example.com' })).toBe('https://id.example.com');
    expect(hostedPasskeyOrigin('https://example.com', { rpId: 'example.com' })).toBe('https://example.com');
    expect(hostedPasskeyOrigin('http://localhost:3000', { rpId: 'localhost' })).toBe('http://localhost:3000');
    expect(hostedPasskeyOrigin('https://id.example.com', { rpId: 'EXAMPLE.com' })).toBe('https://id.example.com');
    // Another site, a look-alike suffix, a parent of the host, an IP address: never.
    expect(hostedPasskeyOrigin('https://id.example.com', { rpId: 'app.example.com' })).toBeNull();
    expect(hostedPasskeyOrigin('https://id.notexample.com', { rpId: 'example.com' })).toBeNull();
    expect(hostedPasskeyOrigin('https://evil-example.com', { rpId: 'example.com' })).toBeNull();
    expect(hostedPasskeyOrigin('http://127.0.0.1:3000', { rpId: 'localhost' })).toBeNull();
    expect(hostedPasskeyOrigin('https://id.example.com', {})).toBeNull();
    expect(hostedPasskeyOrigin('https://id.example.com', null)).toBeNull();
  });

  it('takes the passkey field only as a credential’s toJSON(): anything else is no credential', () => {
    const credential = { id: 'abc', rawId: 'abc', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' } };
    expect(passkeyFieldOf(JSON.stringify(credential))).toMatchObject(credential);
    expect(passkeyFieldOf(undefined)).toBeUndefined();
    expect(passkeyFieldOf('')).toBeUndefined();
    expect(passkeyFieldOf('{not json')).toBeNull();
    expect(passkeyFieldOf('null')).toBeNull();
    expect(passkeyFieldOf('[]')).toBeNull();
    expect(passkeyFieldOf(JSON.stringify({ ...credential, type: 'password' }))).toBeNull();
    expect(passkeyFieldOf(JSON.stringify({ ...credential, response: { ...credential.response, signature: '<b>' } }))).toBeNull();
  });

  it('stores a passkey step’s options with its transaction, and reads a transaction stored before passkeys', () => {
    const request = { clientId: 'portal', redirectUri: 'https://app.example.com/cb', codeChallenge: 'c'.repeat(43), scope: ['openid'], state: null, nonce: null, loginHint: null };
    const { transaction } = newLoginTransaction({ organizationId: 'org_1', accountId: 'acc_1', organizationName: 'Acme', request }, new Date());
    const atPasskey = { ...transaction, phase: 'factor' as const, factor: 'passkey' as const, challengeId: 'chl_1', passkeyOptions: { ...options, extensions: undefined } };
    const item = toLoginTransactionItem(atPasskey);
    expect(typeof item.passkeyOptions).toBe('string');
    expect(fromLoginTransactionItem(item)).toEqual({ ...atPasskey, passkeyOptions: options });
    const { passkeyOptions: _dropped, ...before } = toLoginTransactionItem(transaction);
    expect(fromLoginTransactionItem(before).passkeyOptions).toBeNull();
  });
});
