import { invitations } from '#shared/compose/tenancy.ts';
import { principalFromOptionalBearer } from '#shared/compose/credentials.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { tenancyRoutes } from '#shared/routes/tenancy.ts';
import { sessionAnswer } from '#shared/http/session-cookie.ts';

/**
 * POST /v2/invitations/accept — the token is the invitation's credential. A new person's password
 * becomes their login and the answer is what a login gives (through the session gate); an existing
 * operator must be signed in as the invited email (bearer, with the second factor when they have it).
 */
export const handler = defineHandler(
  tenancyRoutes.acceptInvitation,
  async ({ body, event, principal, requestId, sourceIp, userAgent }) =>
    sessionAnswer(event, 200, await invitations().accept(body, { requestId, sourceIp, userAgent, principal })),
  { credentials: principalFromOptionalBearer },
);
