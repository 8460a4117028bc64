import { operatorSessions } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { ok } from '#shared/http/responses.ts';

/** POST /v2/auth/refresh — spends the refresh token and answers a new pair. */
export const handler = defineHandler(sessionRoutes.refresh, async ({ body }) => ok(await operatorSessions().refresh(body.refreshToken)));
