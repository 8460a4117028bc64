/** Passkeys (WebAuthn, SPEC §11, docs/passkeys.md). Joined with the other areas by shared/http/manifest.ts. */
import { LoginResponse } from '../schemas/mfa.ts';
import {
  Passkey,
  PasskeyCreationStart,
  PasskeyList,
  PasskeyParams,
  PasskeyRequestStart,
  PasskeySignInBody,
  RegisterPasskeyBody,
  RemovePasskeyBody,
  RenamePasskeyBody,
} from '../schemas/passkeys.ts';
import { PASSWORD_HASHING_MEMORY_MB, route, type Tag } from './definition.ts';

const WRONG_CODE = ['invalid_code', 'code_already_used', 'too_many_attempts'] as const;

export const passkeyTags = {
  myPasskeys: {
    name: 'My passkeys',
    description: "The signed-in operator's passkeys (WebAuthn): register one, list, rename and remove them (docs/passkeys.md).",
  },
  passkeySignIn: { name: 'Passkey sign-in', description: 'Operators sign in with a passkey, without a password (discoverable credentials).' },
} as const satisfies Record<string, Tag>;

const EXAMPLE_FLOW = 'pkf_5d1b0c7e9a2f4c3b8e6d1a0f9b8c7d6e';

export const passkeyRoutes = {
  startMyPasskeyRegistration: route({
    id: 'startMyPasskeyRegistration',
    method: 'POST',
    path: '/v2/me/passkeys/options',
    handler: 'functions/passkeys/start-passkey-registration.ts',
    area: 'passkeys',
    tag: passkeyTags.myPasskeys,
    auth: 'bearer',
    summary:
      "Creation options for a new passkey of the signed-in operator: `publicKey` (PublicKeyCredentialCreationOptionsJSON: RP ID the console's host, a discoverable credential, user verification preferred, attestation `none`, the operator's passkeys excluded) and the `flowId` that names its challenge (single use, 5 minutes).",
    request: {},
    response: { status: 200, body: PasskeyCreationStart },
    errors: { 409: ['passkey_limit'] },
    access: { table: 'write' },
  }),
  registerMyPasskey: route({
    id: 'registerMyPasskey',
    method: 'POST',
    path: '/v2/me/passkeys',
    handler: 'functions/passkeys/register-passkey.ts',
    area: 'passkeys',
    tag: passkeyTags.myPasskeys,
    auth: 'bearer',
    summary:
      "Register the credential `navigator.credentials.create()` made from the options: `response` is its `toJSON()`. The flow is spent by this call, right or wrong; the origin, RP ID and challenge must match. A notice is e-mailed to the operator.",
    request: { body: RegisterPasskeyBody },
    response: { status: 201, body: Passkey },
    errors: { 401: ['passkey_rejected', 'invalid_passkey_flow'], 409: ['passkey_exists', 'passkey_limit'] },
    examples: {
      request: {
        register: {
          summary: 'The new credential',
          value: {
            flowId: EXAMPLE_FLOW,
            name: 'Laptop',
            response: {
              id: 'Y3JlZGVudGlhbA',
              rawId: 'Y3JlZGVudGlhbA',
              type: 'public-key',
              response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0', attestationObject: 'o2NmbXRkbm9uZQ', transports: ['internal'] },
              clientExtensionResults: {},
            },
          },
        },
      },
    },
    access: { table: 'write', email: true },
  }),
  listMyPasskeys: route({
    id: 'listMyPasskeys',
    method: 'GET',
    path: '/v2/me/passkeys',
    handler: 'functions/passkeys/list-passkeys.ts',
    area: 'passkeys',
    tag: passkeyTags.myPasskeys,
    auth: 'bearer',
    summary: "The signed-in operator's passkeys (at most 20), oldest first: never a public key or a counter.",
    request: {},
    response: { status: 200, body: PasskeyList },
    access: { table: 'read' },
  }),
  renameMyPasskey: route({
    id: 'renameMyPasskey',
    method: 'PATCH',
    path: '/v2/me/passkeys/{passkeyId}',
    handler: 'functions/passkeys/rename-passkey.ts',
    area: 'passkeys',
    tag: passkeyTags.myPasskeys,
    auth: 'bearer',
    summary: "Rename one of the caller's passkeys; anyone else's is a 404.",
    request: { params: PasskeyParams, body: RenamePasskeyBody },
    response: { status: 200, body: Passkey },
    access: { table: 'write' },
  }),
  removeMyPasskey: route({
    id: 'removeMyPasskey',
    method: 'DELETE',
    path: '/v2/me/passkeys/{passkeyId}',
    handler: 'functions/passkeys/remove-passkey.ts',
    area: 'passkeys',
    tag: passkeyTags.myPasskeys,
    auth: 'bearer',
    summary:
      "Remove one of the caller's passkeys, with a current TOTP `code` or the `password` (a stolen access token alone must not remove a strong factor); anyone else's is a 404.",
    request: { params: PasskeyParams, body: RemovePasskeyBody },
    response: { status: 204 },
    errors: { 401: ['invalid_credentials', ...WRONG_CODE], 409: ['mfa_not_enrolled'], 429: ['rate_limited'] },
    access: { table: 'write', encryptionKey: ['totp-secrets'] },
    memoryMb: PASSWORD_HASHING_MEMORY_MB,
  }),
  startPasskeySignIn: route({
    id: 'startPasskeySignIn',
    method: 'POST',
    path: '/v2/auth/passkey/options',
    handler: 'functions/passkeys/start-passkey-sign-in.ts',
    area: 'passkeys',
    tag: passkeyTags.passkeySignIn,
    auth: 'public',
    summary:
      'Request options for a passwordless sign-in: `publicKey` (PublicKeyCredentialRequestOptionsJSON with an empty `allowCredentials`: the browser offers the passkeys it holds for this site) and the `flowId` of its challenge (single use, 5 minutes).',
    request: {},
    response: { status: 200, body: PasskeyRequestStart },
    access: { table: 'write' },
  }),
  passkeySignIn: route({
    id: 'passkeySignIn',
    method: 'POST',
    path: '/v2/auth/passkey',
    handler: 'functions/passkeys/passkey-sign-in.ts',
    area: 'passkeys',
    tag: passkeyTags.passkeySignIn,
    auth: 'public',
    summary:
      "Sign in with the assertion `navigator.credentials.get()` made from the options (`response`: its `toJSON()`): answers what login answers. A passkey with user verification (`amr` `hwk`, `user`, `mfa`) is a second factor on its own; one without it (`hwk`, `user`) is one factor, and an operator with TOTP then gets `mfaRequired`. Takes `X-Refresh-Token-Mode: cookie` like login.",
    request: { body: PasskeySignInBody },
    response: { status: 200, body: LoginResponse },
    errors: { 401: ['passkey_rejected', 'invalid_passkey_flow'] },
    issuesOperatorSession: true,
    access: { table: 'write', signingKey: true },
  }),
} as const;
