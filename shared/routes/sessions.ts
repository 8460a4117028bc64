/** Operator sessions: sign up, log in, refresh, log out, the signed-in operator. Joined with the other areas by shared/http/manifest.ts. */
import { LoginResponse } from '../schemas/mfa.ts';
import {
  ChangePasswordBody,
  ForgotPasswordBody,
  LoginBody,
  LogoutBody,
  MeResponse,
  RefreshBody,
  ResetPasswordBody,
  SignupBody,
  SignupResponse,
  TokenPair,
} from '../schemas/sessions.ts';
import { PASSWORD_HASHING_MEMORY_MB, route, type Tag } from './definition.ts';

/** The reference page sections of the area's routes, in page order. */
export const sessionTags = {
  sessions: { name: 'Operator sessions', description: 'Sign up, log in, refresh and log out (operators of the management API).' },
  me: { name: 'Me', description: 'The signed-in operator.' },
  passwords: { name: 'Passwords', description: 'Change the password signed in, or reset a forgotten one with an e-mailed link (docs/passwords.md).' },
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
    summary: 'Create an account and its owner; answers with a session.',
    request: { body: SignupBody },
    response: { status: 201, body: SignupResponse },
    errors: { 400: ['weak_password'], 409: ['email_taken'] },
    examples: {
      request: {
        signup: { summary: 'A new account and its owner', value: { email: 'ada@example.com', password: 'correct horse battery staple', accountName: 'Example MSP' } },
      },
    },
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
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
  changePassword: route({
    id: 'changePassword',
    method: 'POST',
    path: '/v2/me/password',
    handler: 'functions/sessions/change-password.ts',
    area: 'sessions',
    tag: sessionTags.passwords,
    auth: 'bearer',
    summary:
      'Change the signed-in operator’s password: the current one is checked like a login (same attempt budget); every other session of the operator ends, this one stays; a notice is e-mailed.',
    request: { body: ChangePasswordBody },
    response: { status: 204 },
    errors: { 400: ['weak_password'], 401: ['invalid_credentials'], 403: ['step_up_required'], 429: ['rate_limited'] },
    examples: {
      request: {
        change: { summary: 'A new password', value: { currentPassword: 'correct horse battery staple', newPassword: 'a much longer passphrase of mine' } },
      },
    },
    access: { table: 'write', email: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  forgotPassword: route({
    id: 'forgotPassword',
    method: 'POST',
    path: '/v2/auth/password/forgot',
    handler: 'functions/sessions/forgot-password.ts',
    area: 'sessions',
    tag: sessionTags.passwords,
    auth: 'public',
    summary:
      'Ask for a password-reset link: 202 and no body for every well-formed address, an operator’s or not; an operator gets a one-time link (30 minutes) by e-mail, at most one a minute and five an hour.',
    request: { body: ForgotPasswordBody },
    response: { status: 202 },
    examples: {
      request: {
        forgot: { summary: 'A forgotten password', value: { email: 'ada@example.com' } },
      },
    },
    access: { table: 'write', email: true },
  }),
  resetPassword: route({
    id: 'resetPassword',
    method: 'POST',
    path: '/v2/auth/password/reset',
    handler: 'functions/sessions/reset-password.ts',
    area: 'sessions',
    tag: sessionTags.passwords,
    auth: 'public',
    summary:
      'Set a new password with the e-mailed link’s token: the link is spent, every session of the operator ends, a notice is e-mailed. Answers no tokens: sign in afterwards (with the second factor, when the operator has one).',
    request: { body: ResetPasswordBody },
    response: { status: 204 },
    errors: { 400: ['weak_password', 'invalid_reset_token'] },
    examples: {
      request: {
        reset: { summary: 'The link’s token and a new password', value: { token: 'ppr_Qm2Lp4Vn6Zx8Qm2Lp4Vn6Zx8Qm2Lp4Vn6Zx8Qm2Lp4V', newPassword: 'a much longer passphrase of mine' } },
      },
    },
    access: { table: 'write', email: true },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
} as const;
