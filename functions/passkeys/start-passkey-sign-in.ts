import { operatorPasskeys } from '#shared/compose/passkeys.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { json } from '#shared/http/responses.ts';
import { passkeyRoutes } from '#shared/routes/passkeys.ts';

/** POST /v2/auth/passkey/options — request options for a passwordless sign-in (discoverable credentials). */
export const handler = defineHandler(passkeyRoutes.startPasskeySignIn, async () => json(200, await operatorPasskeys().signInOptions()));
