/**
 * Invitations as an invitee meets them: the create answer never carries the token (SPEC §4), so a
 * test reads it where the invitee does, from the e-mail in the local outbox.
 */
import type { RequestBody, SuccessBody } from '#client/index.ts';
import { localEmailOutbox } from '#shared/compose/shared.ts';
import { expectData, type useLocalApi } from './local-api.ts';
import { lastEmail, linkIn, type OutboxEmail } from './sign-in.ts';

type Api = ReturnType<typeof useLocalApi>;

export type InvitationBody = RequestBody<'/v2/accounts/{accountId}/invitations', 'post'>;

/** The subject of the `invitation` message (shared/domain/platform/messages/en.ts). */
export const INVITATION_SUBJECT = /invited to join/;

/** The token of the newest invitation e-mailed to `email`, from its accept link (`{consoleUrl}/accept?token=`). */
export async function mailedInvitationToken(api: Api, email: string): Promise<string> {
  return linkIn(await lastEmail(api, email, INVITATION_SUBJECT)).token;
}

/** `POST …/invitations` as `accessToken` (201 asserted), with the token the invitee was e-mailed. */
export async function inviteByEmail(
  api: Api,
  accessToken: string,
  accountId: string,
  body: InvitationBody,
): Promise<SuccessBody<'/v2/accounts/{accountId}/invitations', 'post'> & { token: string }> {
  const created = expectData(await api.as(accessToken).POST('/v2/accounts/{accountId}/invitations', { params: { path: { accountId } }, body }), 201);
  return { ...created, token: await mailedInvitationToken(api, body.email) };
}

/** The same, read from this process's outbox directly: for the service-level tests that run no server. */
export function outboxInvitationToken(email: string): string {
  const mail: OutboxEmail | undefined = localEmailOutbox()
    .list(email)
    .find((item) => INVITATION_SUBJECT.test(item.subject));
  if (!mail) throw new Error(`no invitation e-mailed to ${email}`);
  return linkIn(mail).token;
}
