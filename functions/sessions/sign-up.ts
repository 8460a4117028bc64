import { operatorSessions } from '#shared/container.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/signup — a new account with the caller as its owner, signed in. */
export const handler = defineHandler(routes.signup, async ({ body }) => created(await operatorSessions().signUp(body)));
