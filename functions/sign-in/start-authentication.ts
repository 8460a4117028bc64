import { startSignIn } from '#shared/compose/sign-in.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { signInRoutes } from '#shared/routes/sign-in.ts';
import { json } from '#shared/http/responses.ts';

/**
 * POST /v2/user/authenticate — starts a sign-in: 202 {challengeId, method, expiresAt, deliveredTo}.
 * The same answer for unknown, disabled or unauthorized users (no SMS), so it enumerates nothing.
 */
export const handler = defineHandler(signInRoutes.startAuthentication, async ({ body, principal, requestId, sourceIp }) =>
  json(202, await startSignIn().start({ principal, requestId, sourceIp }, body)),
);
