import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signupBody, strongPassword, uniqueEmail } from '#test/support/factories.ts';
import { mailedInvitationToken } from '#test/support/invitations.ts';
import { expectData, expectSignedUp, useLocalApi } from '#test/support/local-api.ts';
import { lastEmail, linkIn } from '#test/support/sign-in.ts';

// Before any module loads: this file's handlers log everything, down to DEBUG.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const api = useLocalApi();
const lines: string[] = [];

beforeAll(() => {
  // Captured, not echoed: this file logs at DEBUG and would drown the test report.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('logs', () => {
  it('never carry passwords or tokens through a whole session, failures included', async () => {
    const input = signupBody();
    const signup = expectSignedUp(await api.client.POST('/v2/signup', { body: input }));
    const wrongPassword = strongPassword();
    await api.client.POST('/v2/auth/login', { body: { email: input.email, password: wrongPassword } });
    // Malformed JSON on purpose: raw.
    await api.raw('POST', '/v2/auth/login', { rawBody: `{"email":"${input.email}","password":"${wrongPassword}"` });
    const refreshed = expectData(await api.client.POST('/v2/auth/refresh', { body: { refreshToken: signup.refreshToken } }), 200);
    await api.client.POST('/v2/auth/refresh', { body: { refreshToken: signup.refreshToken } }); // reuse
    await api.as(`${refreshed.accessToken}x`).GET('/v2/me');

    const logged = lines.join('');
    expect(logged).toContain('request refused'); // the capture works: refused requests were logged
    for (const secret of [input.password, wrongPassword, signup.accessToken, signup.refreshToken, refreshed.refreshToken, refreshed.accessToken]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('never carry a password-reset token or the passwords of a change and a reset, failures included', async () => {
    const input = signupBody();
    const signup = expectSignedUp(await api.client.POST('/v2/signup', { body: input }));
    const changed = strongPassword();
    await api.as(signup.accessToken).POST('/v2/me/password', { body: { currentPassword: `${input.password}-wrong`, newPassword: changed } });
    await api.as(signup.accessToken).POST('/v2/me/password', { body: { currentPassword: input.password, newPassword: changed } });
    await api.client.POST('/v2/auth/password/forgot', { body: { email: input.email } });
    const { token } = linkIn(await lastEmail(api, input.email, /Reset your/));
    const resetTo = strongPassword();
    await api.client.POST('/v2/auth/password/reset', { body: { token, newPassword: 'password1234' } });
    await api.client.POST('/v2/auth/password/reset', { body: { token, newPassword: resetTo } });
    await api.client.POST('/v2/auth/password/reset', { body: { token, newPassword: resetTo } }); // replayed
    await api.raw('POST', '/v2/auth/password/reset', { rawBody: `{"token":"${token}","newPassword":` });

    const logged = lines.join('');
    expect(logged).toContain('request refused');
    for (const secret of [token, token.slice('ppr_'.length), input.password, changed, resetTo]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('never carry an invitation token: created, listed, refused, accepted', async () => {
    const before = lines.length;
    const owner = expectSignedUp(await api.client.POST('/v2/signup', { body: signupBody() }));
    const email = uniqueEmail('logged-invitee');
    const path = { params: { path: { accountId: owner.accountId } } };
    const created = expectData(await api.as(owner.accessToken).POST('/v2/accounts/{accountId}/invitations', { ...path, body: { email, role: 'viewer', scope: 'all' } }), 201);
    await api.as(owner.accessToken).GET('/v2/accounts/{accountId}/invitations', path);
    const token = await mailedInvitationToken(api, email);
    await api.client.POST('/v2/invitations/accept', { body: { token, password: 'short' } }); // refused: 400
    const password = strongPassword();
    expectData(await api.client.POST('/v2/invitations/accept', { body: { token, password } }), 200);

    expect(JSON.stringify(created)).not.toContain(token);
    const logged = lines.slice(before).join('');
    expect(logged).toContain('acceptInvitation'); // the capture works: the accepts were logged (the refused one at least)
    for (const secret of [token, token.slice(4), password]) expect(logged).not.toContain(secret);
  });
});
