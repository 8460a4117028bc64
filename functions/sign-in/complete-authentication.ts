import { completeSignIn } from '#shared/compose/sign-in.ts';
import type { AuthenticationResponseJSON } from '#shared/domain/passkeys/options.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { signInRoutes } from '#shared/routes/sign-in.ts';
import { ok } from '#shared/http/responses.ts';

/**
 * POST /v2/system/authenticate/user — completes the next factor of a sign-in: 200 with a token when the
 * chain is done, 200 `{authenticated: false, remaining}` when it asks for more, else a 401 problem.
 */
export const handler = defineHandler(signInRoutes.completeAuthentication, async ({ body, principal, requestId, sourceIp }) => {
  // The schema checked the assertion's shape; the WebAuthn library checks every value.
  const passkey = body.passkey as unknown as AuthenticationResponseJSON | undefined;
  return ok(await completeSignIn().complete({ principal, requestId, sourceIp }, { ...body, passkey }));
});
