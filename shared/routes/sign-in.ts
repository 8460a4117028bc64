/** End-user sign-in: the two FlexSecure-compatible calls (PIN and magic link by SMS or e-mail, TOTP). Joined with the other areas by shared/http/manifest.ts. */
import { CompleteAuthenticationBody, CompletedChallenge, StartAuthenticationBody, StartedChallenge } from '../schemas/authentication.ts';
import { route, type Tag } from './definition.ts';

/** The reference page sections of the area's routes, in page order. */
export const signInTags = {
  authentication: { name: 'Sign-in', description: 'The two FlexSecure-compatible calls that sign an end user in with a PIN or a magic link by SMS or e-mail, or TOTP.' },
} as const satisfies Record<string, Tag>;

export const signInRoutes = {

  // ---- Sign-in challenges (`authenticate` apikeys) ------------------------------------------------
  startAuthentication: route({
    id: 'startAuthentication',
    method: 'POST',
    path: '/v2/user/authenticate',
    handler: 'functions/sign-in/start-authentication.ts',
    area: 'sign-in',
    tag: signInTags.authentication,
    auth: 'apikey',
    summary:
      "Start an end user's sign-in: sends the PIN or magic link by SMS or e-mail, or, when the first factor is `passkey`, answers `publicKey` request options (the system's `webauthn.rpId`, a fresh single-use challenge, empty `allowCredentials`: the credential is discoverable) for `navigator.credentials.get()`. Unknown, disabled or unauthorized users, users without a passkey, and e-mail factors to an undeliverable address, get the same 202 and nothing is sent.",
    request: { body: StartAuthenticationBody },
    response: { status: 202, body: StartedChallenge },
    errors: { 404: ['not_found', 'system_not_found'], 409: ['passwordless_url_missing', 'webauthn_not_configured'], 429: ['rate_limited'], 502: ['email_failed'] },
    examples: {
      request: {
        minimal: { summary: 'A key that reaches one organization', value: { email: 'user@example.com', system: 'portal' } },
        withContext: {
          summary: 'Naming the organization, with context the policy rules match on',
          value: { email: 'user@example.com', system: 'portal', organization: 'org_8Yp2kM4qR7', context: { ip: '203.0.113.7', sensitivity: 'high' } },
        },
      },
      response: {
        pin: { summary: 'A PIN was sent by SMS', value: { challengeId: 'ch_Q1w2E3r4T5y6U7i8', method: 'pin', expiresAt: '2026-01-15T10:05:00.000Z', deliveredTo: '********78' } },
        emailPin: {
          summary: "A PIN was sent by e-mail (policy factor `email_pin`): the mask shows the first character and the top-level domain of the email asked for",
          value: { challengeId: 'ch_Q1w2E3r4T5y6U7i8', method: 'email_pin', expiresAt: '2026-01-15T10:05:00.000Z', deliveredTo: 'u*****@*****.com' },
        },
        emailLink: {
          summary: 'A magic link was sent by e-mail (policy factor `email_link`)',
          value: { challengeId: 'ch_Q1w2E3r4T5y6U7i8', method: 'email_link', expiresAt: '2026-01-15T10:10:00.000Z', deliveredTo: 'u*****@*****.com' },
        },
        passkey: {
          summary: 'A passkey is asked (policy factor `passkey`): request options for `navigator.credentials.get()`',
          value: {
            challengeId: 'ch_Q1w2E3r4T5y6U7i8',
            method: 'passkey',
            expiresAt: '2026-01-15T10:05:00.000Z',
            deliveredTo: null,
            publicKey: { challenge: 'r3Vd5iYl7kq9pC2bUuR0m8yOaXnJt4sW6gHfEzQ1cLo', timeout: 240000, rpId: 'example.com', allowCredentials: [], userVerification: 'preferred' },
          },
        },
      },
    },
    // The PIN HMAC key is a data key under the data KMS key; `email_pin`/`email_link` go through SES.
    access: { table: 'write', sms: true, email: true, encryptionKey: ['pin-hmac'] },
  }),
  completeAuthentication: route({
    id: 'completeAuthentication',
    method: 'POST',
    path: '/v2/system/authenticate/user',
    handler: 'functions/sign-in/complete-authentication.ts',
    area: 'sign-in',
    tag: signInTags.authentication,
    auth: 'apikey',
    summary:
      'Complete one factor of a sign-in: a token when the chain is done, else the factors that remain. A `passkey` step takes the assertion\'s `toJSON()` in `passkey`; its attempt is spent before it is verified, like a PIN\'s, and any failure (unknown credential, another user\'s, wrong origin or RP ID, replay) is the `invalid_credentials` a wrong PIN gets. When the next factor is `passkey`, the step-up answer carries its `publicKey` request options.',
    request: { body: CompleteAuthenticationBody },
    response: { status: 200, body: CompletedChallenge },
    errors: { 401: ['invalid_credentials', 'expired', 'too_many_attempts'], 404: ['not_found', 'system_not_found'], 429: ['rate_limited'], 502: ['email_failed'] },
    examples: {
      request: {
        pin: { summary: 'The PIN from the SMS or the e-mail (`pin` and `email_pin` alike)', value: { email: 'user@example.com', system: 'portal', challengeId: 'ch_Q1w2E3r4T5y6U7i8', pin: '493817' } },
        passwordless: {
          summary: 'The magic link from the SMS or the e-mail (or just its token; `passwordless` and `email_link` alike)',
          value: { email: 'user@example.com', system: 'portal', challengeId: 'ch_Q1w2E3r4T5y6U7i8', passwordless: 'https://portal.example.com/login?token=pl_b4Xk9sW2' },
        },
        totp: { summary: 'A TOTP code (step-up)', value: { email: 'user@example.com', system: 'portal', challengeId: 'ch_Q1w2E3r4T5y6U7i8', totp: '120384' } },
        passkey: {
          summary: "A passkey assertion: the credential's `toJSON()`",
          value: {
            email: 'user@example.com',
            system: 'portal',
            challengeId: 'ch_Q1w2E3r4T5y6U7i8',
            passkey: {
              id: 'Y3JlZGVudGlhbA',
              rawId: 'Y3JlZGVudGlhbA',
              type: 'public-key',
              response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0', authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ', signature: 'MEUCIQDsig', userHandle: 'ZXU' },
              clientExtensionResults: {},
            },
          },
        },
      },
      response: {
        done: {
          summary: 'The chain is complete: a token',
          value: { authenticated: true, token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJldV8xIn0.c2lnbmF0dXJl', tokenType: 'Bearer', expiresIn: 900, user: { id: 'eu_7Hk2', email: 'user@example.com' }, amr: ['sms'] },
        },
        stepUp: { summary: 'Another factor is required', value: { authenticated: false, challengeId: 'ch_Q1w2E3r4T5y6U7i8', remaining: ['totp'] } },
        stepUpPasskey: {
          summary: 'A passkey is required next: its request options',
          value: {
            authenticated: false,
            challengeId: 'ch_Q1w2E3r4T5y6U7i8',
            remaining: ['passkey'],
            publicKey: { challenge: 'r3Vd5iYl7kq9pC2bUuR0m8yOaXnJt4sW6gHfEzQ1cLo', timeout: 240000, rpId: 'example.com', allowCredentials: [], userVerification: 'preferred' },
          },
        },
      },
    },
    // Step-up may send a second SMS or an e-mail; TOTP secrets and the PIN HMAC key are data keys; tokens are signed.
    access: { table: 'write', sms: true, email: true, signingKey: true, encryptionKey: ['pin-hmac', 'totp-secrets'] },
  }),
} as const;
