/** End-user sign-in: the two FlexSecure-compatible calls (SMS PIN, magic link, TOTP). Joined with the other areas by shared/http/manifest.ts. */
import { CompleteAuthenticationBody, CompletedChallenge, StartAuthenticationBody, StartedChallenge } from '../schemas/authentication.ts';
import { route } from './definition.ts';

export const signInRoutes = {

  // ---- Sign-in challenges (`authenticate` apikeys) ------------------------------------------------
  startAuthentication: route({
    id: 'startAuthentication',
    method: 'POST',
    path: '/v2/user/authenticate',
    handler: 'functions/sign-in/start-authentication.ts',
    area: 'sign-in',
    tag: 'Sign-in',
    auth: 'apikey',
    summary:
      "Start an end user's sign-in: sends the PIN or magic link by SMS. Unknown, disabled or unauthorized users get the same 202 and no SMS.",
    request: { body: StartAuthenticationBody },
    response: { status: 202, body: StartedChallenge },
    // The PIN HMAC key is a data key under the data KMS key.
    access: { table: 'write', sms: true, encryptionKey: ['pin-hmac'] },
  }),
  completeAuthentication: route({
    id: 'completeAuthentication',
    method: 'POST',
    path: '/v2/system/authenticate/user',
    handler: 'functions/sign-in/complete-authentication.ts',
    area: 'sign-in',
    tag: 'Sign-in',
    auth: 'apikey',
    summary: 'Complete one factor of a sign-in: a token when the chain is done, else the factors that remain.',
    request: { body: CompleteAuthenticationBody },
    response: { status: 200, body: CompletedChallenge },
    // Step-up may send a second SMS; TOTP secrets and the PIN HMAC key are data keys; tokens are signed.
    access: { table: 'write', sms: true, signingKey: true, encryptionKey: ['pin-hmac', 'totp-secrets'] },
  }),
} as const;
