import { operatorSessions } from '#shared/compose/sessions.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { sessionRoutes } from '#shared/routes/sessions.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/signup — a new account with the caller as its owner, signed in. */
export const handler = defineHandler(sessionRoutes.signup, async ({ body }) => created(await operatorSessions().signUp(body)));
