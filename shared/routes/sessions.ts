/** Operator sessions: sign up, log in, refresh, log out, the signed-in operator. Joined with the other areas by shared/http/manifest.ts. */
import { LoginResponse } from '../schemas/mfa.ts';
import { LoginBody, LogoutBody, MeResponse, RefreshBody, SignupBody, SignupResponse, SignupVerificationSent, SignupVerifyBody, TokenPair } from '../schemas/sessions.ts';
import { PASSWORD_HASHING_MEMORY_MB, route, type Tag } from './definition.ts';

/** The reference page sections of the area's routes, in page order. */
export const sessionTags = {
  sessions: { name: 'Operator sessions', description: 'Sign up, log in, refresh and log out (operators of the management API).' },
  me: { name: 'Me', description: 'The signed-in operator.' },
} as const satisfies Record<string, Tag>;

export const sessionRoutes = {
  signup: route({
    id: 'signup',
    method: 'POST',
    path: '/v2/signup',
    handler: 'functions/sessions/sign-up.ts',
    area: 'sessions',
    tag: sessionTags.sessions,
    auth: 'public',
    summary:
      "Create an account and its owner, as the deployment's `signupMode` says. `open` (local, trusted use): 201 with a session at once, or 409 `email_taken` for an address that has an operator. `verify-email` (the default of a deployment): 202 `{verificationSent: true}` for every well-formed request, known address or not; a new address gets a one-time link (24 hours) to `POST /v2/signup/verify`, an address that already has an operator gets a note saying so instead, and one address gets at most one such e-mail a minute and five an hour. `closed`: 403 `signup_closed`.",
    request: { body: SignupBody },
    response: {
      status: 201,
      body: SignupResponse,
      alternatives: [{ status: 202, body: SignupVerificationSent, description: 'Accepted (`verify-email`): a link went to the address, or a note if it already has an operator; the answer is the same either way.' }],
    },
    errors: { 400: ['weak_password'], 403: ['signup_closed'], 409: ['email_taken'] },
    examples: {
      request: {
        signup: { summary: 'A new account and its owner', value: { email: 'ada@example.com', password: 'correct horse battery staple', accountName: 'Example MSP' } },
      },
    },
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true, email: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  verifySignup: route({
    id: 'verifySignup',
    method: 'POST',
    path: '/v2/signup/verify',
    handler: 'functions/sessions/verify-signup.ts',
    area: 'sessions',
    tag: sessionTags.sessions,
    auth: 'public',
    summary:
      'Complete a `verify-email` sign-up with the token of the e-mailed link: the account, its owner and a session, as `open` answers. The token works once, for 24 hours; an unknown, used or expired token, or an address that got an operator meanwhile, gets 400 `invalid_signup_token`.',
    request: { body: SignupVerifyBody },
    response: { status: 201, body: SignupResponse },
    errors: { 400: ['invalid_signup_token'], 403: ['signup_closed'] },
    examples: {
      request: { verify: { summary: 'The token from the e-mailed link', value: { token: 'psv_Q2hhbmdlIG1lIGJlZm9yZSB5b3UgdXNlIGl0IGFueXdoZXJl' } } },
    },
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true },
  }),
  login: route({
    id: 'login',
    method: 'POST',
    path: '/v2/auth/login',
    handler: 'functions/sessions/log-in.ts',
    area: 'sessions',
    tag: sessionTags.sessions,
    auth: 'public',
    summary: 'Sign an operator in with email and password; with 2FA on (or required) the answer is `mfaRequired` (or `mfaEnrollmentRequired`) and a 5-minute `mfaToken`.',
    request: { body: LoginBody },
    response: { status: 200, body: LoginResponse },
    errors: { 401: ['invalid_credentials'], 429: ['rate_limited'] },
    examples: {
      request: {
        login: { summary: 'An operator signs in', value: { email: 'ada@example.com', password: 'correct horse battery staple' } },
      },
      response: {
        tokens: { summary: 'Signed in', value: { accessToken: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl', refreshToken: 'rt_Zx8Qm2Lp4Vn6', tokenType: 'Bearer', expiresIn: 900 } },
        mfaRequired: { summary: 'Two-factor authentication is on', value: { mfaRequired: true, mfaToken: 'mfa_3q2Yb0m1pXg6kQ9Vw8rTzA', methods: ['totp', 'recovery_code'] } },
        mfaEnrollmentRequired: { summary: 'Two-factor authentication is required and not set up yet', value: { mfaEnrollmentRequired: true, mfaToken: 'mfa_3q2Yb0m1pXg6kQ9Vw8rTzA' } },
      },
    },
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  refresh: route({
    id: 'refresh',
    method: 'POST',
    path: '/v2/auth/refresh',
    handler: 'functions/sessions/refresh-session.ts',
    area: 'sessions',
    tag: sessionTags.sessions,
    auth: 'public',
    summary: 'Rotate a refresh token; reuse of a spent one revokes its whole family.',
    request: { body: RefreshBody },
    response: { status: 200, body: TokenPair },
    errors: { 401: ['invalid_refresh_token', 'refresh_token_reused', 'expired', 'mfa_enrollment_required', 'mfa_required'] },
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true },
  }),
  logout: route({
    id: 'logout',
    method: 'POST',
    path: '/v2/auth/logout',
    handler: 'functions/sessions/log-out.ts',
    area: 'sessions',
    tag: sessionTags.sessions,
    auth: 'public',
    summary: 'Revoke the refresh token and every token rotated from the same login.',
    request: { body: LogoutBody },
    response: { status: 204 },
    access: { table: 'write' },
  }),
  getMe: route({
    id: 'getMe',
    method: 'GET',
    path: '/v2/me',
    handler: 'functions/sessions/get-me.ts',
    area: 'sessions',
    tag: sessionTags.me,
    auth: 'bearer',
    summary: 'The signed-in operator: profile, memberships, MFA status.',
    request: {},
    response: { status: 200, body: MeResponse },
    access: { table: 'read' },
  }),
} as const;
