import { memberMfa } from '#shared/compose/mfa.ts';
import { defineHandler } from '#shared/http/handler.ts';
import { mfaRoutes } from '#shared/routes/mfa.ts';
import { created } from '#shared/http/responses.ts';

/** POST /v2/accounts/{accountId}/members/{userId}/mfa/enrollment — owner; a one-time 24 h link. */
export const handler = defineHandler(mfaRoutes.createMfaEnrollmentLink, async ({ params, principal, event, requestId, sourceIp }) => {
  const link = await memberMfa().createEnrollmentLink({ principal, requestId, sourceIp }, params.accountId, params.userId);
  // The link points at this very API: the host the request came to (plain http only on loopback).
  const host = event.requestContext.domainName;
  const scheme = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(host) ? 'http' : 'https';
  return created({ enrollmentUrl: `${scheme}://${host}/v2/mfa/enroll/${link.token}`, expiresAt: link.expiresAt });
});
