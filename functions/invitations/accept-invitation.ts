import { invitations } from '#shared/container.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { routes } from '#shared/http/manifest.ts';
import { ok } from '#shared/http/responses.ts';

/**
 * POST /v2/invitations/accept — public: the token is the credential, and the password either becomes
 * the new operator's or must be the existing operator's. Answers a session for the new member.
 */
export const handler = defineHandler(routes.acceptInvitation, async ({ body, requestId, sourceIp }) =>
  ok(await invitations().accept(body, { requestId, sourceIp })),
);
