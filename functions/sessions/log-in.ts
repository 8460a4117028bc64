import { operatorSessions } from '#shared/container.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { ok } from '#shared/http/responses.ts';

/**
 * POST /v2/auth/login — email and password; throttled per email; one answer for every failure. With
 * 2FA on (or required) the answer is the second step's `mfaToken` instead of tokens.
 */
export const handler = defineHandler(routes.login, async ({ body, requestId, sourceIp }) =>
  ok(await operatorSessions().logIn(body, { requestId, sourceIp })),
);
