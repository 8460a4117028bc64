/**
 * Admins (SPEC §3, §10; "Admins" as the seeds call the members): who runs this account, their role,
 * scope and whether they have a second factor (the **MFA** column). Owners invite admins, change role
 * and scope, reset a member's 2FA, send a **Link to QR** (the member's own enrolment page, served by
 * the API), end a member's sessions and remove them. Other roles see the list only: the buttons they
 * could not use are not offered, and should a stale page offer one, the API's 403 is what they see.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Cell, Column, Dialog, DialogTrigger, Heading, Modal, Row, Table, TableBody, TableHeader } from 'react-aria-components';
import { ApiCallError, problemMessage, unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys, useMe } from '../app/queries.ts';
import { useAccountId } from '../app/selection.ts';
import { ROLES, RoleSelect, ScopePicker, useAccountRole, useScopeLabel, type Role, type Scope } from '../components/account.tsx';
import { ConfirmAction, SecretOnce } from '../components/dialogs.tsx';
import { PageHeader } from '../components/feedback.tsx';
import { ConsoleForm, FormAlert, SubmitButton, TextInput } from '../components/forms.tsx';
import { PagedTable, useCursorPaging } from '../components/paging.tsx';

const PAGE_SIZE = 20;

type Member = Awaited<ReturnType<typeof listMembers>>['items'][number];
const listMembers = (accountId: string, cursor: string | undefined) =>
  unwrap(api.GET('/v2/accounts/{accountId}/members', { params: { path: { accountId }, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } }));

const roleName = (role: Role) => ROLES.find((candidate) => candidate.id === role)?.label ?? role;

export default function MembersPage() {
  const accountId = useAccountId();
  const role = useAccountRole(accountId);
  const me = useMe();
  const paging = useCursorPaging();
  const scopeLabel = useScopeLabel(accountId);
  const list = useQuery({
    queryKey: [...keys.members(accountId), 'page', paging.cursor ?? ''],
    queryFn: () => listMembers(accountId, paging.cursor),
    placeholderData: keepPreviousData,
  });
  const isOwner = role === 'owner';

  return (
    <>
      <PageHeader title="Admins" />
      <p className="hint">The people who run this account. Owners do everything; managers change organizations in their scope; viewers read.</p>
      <PagedTable query={list} paging={paging} tableLabel="Admins table" pagerLabel="Admins" empty="No admins.">
        {(page) => (
          <Table aria-label="Admins">
            <TableHeader>
              <Column isRowHeader>E-mail</Column>
              <Column>Role</Column>
              <Column>Scope</Column>
              <Column>MFA</Column>
              <Column>Actions</Column>
            </TableHeader>
            <TableBody>
              {page.items.map((member) => (
                <Row key={member.userId} id={member.userId}>
                  <Cell>
                    {member.email}
                    {member.userId === me.data?.id ? ' (you)' : ''}
                  </Cell>
                  <Cell>{roleName(member.role)}</Cell>
                  <Cell>{scopeLabel(member.scope)}</Cell>
                  <Cell>{member.mfa.totp ? 'On' : 'Off'}</Cell>
                  <Cell>
                    {isOwner ? <MemberActions accountId={accountId} member={member} isSelf={member.userId === me.data?.id} /> : '—'}
                  </Cell>
                </Row>
              ))}
            </TableBody>
          </Table>
        )}
      </PagedTable>
      {isOwner ? <Invitations accountId={accountId} /> : null}
    </>
  );
}

function MemberActions({ accountId, member, isSelf }: { accountId: string; member: Member; isSelf: boolean }) {
  const queryClient = useQueryClient();
  const path = { params: { path: { accountId, userId: member.userId } } };
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.members(accountId) });
  return (
    <div className="row-actions">
      <ChangeRole accountId={accountId} member={member} />
      {!isSelf && member.mfa.totp ? (
        <ConfirmAction
          label="Reset MFA"
          ariaLabel={`Reset MFA of ${member.email}`}
          title={`Reset two-factor authentication of ${member.email}?`}
          confirmLabel="Reset MFA"
          onConfirm={async () => {
            await unwrap(api.POST('/v2/accounts/{accountId}/members/{userId}/mfa/reset', path));
            await refresh();
          }}
        >
          <p>Their authenticator app and recovery codes stop working. They sign in with their password until they enrol again (send them a Link to QR).</p>
        </ConfirmAction>
      ) : null}
      {!isSelf ? <LinkToQr accountId={accountId} member={member} /> : null}
      {!isSelf ? (
        <ConfirmAction
          label="End sessions"
          ariaLabel={`End sessions of ${member.email}`}
          title={`End every session of ${member.email}?`}
          confirmLabel="End sessions"
          onConfirm={() => unwrap(api.DELETE('/v2/accounts/{accountId}/members/{userId}/sessions', path))}
        >
          <p>They are signed out everywhere (within the access token&apos;s 15 minutes) and must sign in again.</p>
        </ConfirmAction>
      ) : null}
      <ConfirmAction
        label="Remove"
        ariaLabel={`Remove ${member.email}`}
        title={`Remove ${member.email} from this account?`}
        confirmLabel="Remove admin"
        onConfirm={async () => {
          await unwrap(api.DELETE('/v2/accounts/{accountId}/members/{userId}', path));
          await refresh();
        }}
      >
        <p>They lose access to this account at once. Invite them again to bring them back.</p>
      </ConfirmAction>
    </div>
  );
}

/** Role and scope in a dialog; an owner's scope is always everything. */
function ChangeRole({ accountId, member }: { accountId: string; member: Member }) {
  const queryClient = useQueryClient();
  const [role, setRole] = useState<Role>(member.role);
  const [scope, setScope] = useState<Scope>(member.scope);
  const update = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/v2/accounts/{accountId}/members/{userId}', {
          params: { path: { accountId, userId: member.userId } },
          body: role === 'owner' ? { role } : { role, scope },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.members(accountId) }),
  });
  return (
    <DialogTrigger
      onOpenChange={(open) => {
        if (open) {
          update.reset();
          setRole(member.role);
          setScope(member.scope);
        }
      }}
    >
      <Button className="button" aria-label={`Change role of ${member.email}`}>
        Change role
      </Button>
      <Modal isDismissable className="modal">
        <Dialog className="dialog">
          {({ close }) => (
            <>
              <Heading slot="title">Role and scope of {member.email}</Heading>
              <ConsoleForm
                fields={['role', 'scope']}
                error={update.error}
                onSubmit={() => {
                  update.mutate(undefined, { onSuccess: close });
                }}
              >
                <RoleSelect value={role} onChange={setRole} />
                <ScopePicker accountId={accountId} value={scope} onChange={setScope} isDisabled={role === 'owner'} />
                <div className="dialog-actions">
                  <Button className="button" onPress={close}>
                    Cancel
                  </Button>
                  <SubmitButton isPending={update.isPending}>Save</SubmitButton>
                </div>
              </ConsoleForm>
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}

/**
 * **Link to QR**: a one-time enrolment link (24 h) for the member. The URL is a secret: it is shown
 * once in the dialog (with Copy, and Open for when the member is at this screen) and forgotten when
 * the dialog closes.
 */
function LinkToQr({ accountId, member }: { accountId: string; member: Member }) {
  const [open, setOpen] = useState(false);
  const link = useMutation({
    mutationFn: () => unwrap(api.POST('/v2/accounts/{accountId}/members/{userId}/mfa/enrollment', { params: { path: { accountId, userId: member.userId } } })),
  });
  return (
    <>
      <Button
        className="button"
        aria-label={`Link to QR for ${member.email}`}
        onPress={() => {
          link.reset();
          setOpen(true);
          link.mutate();
        }}
      >
        Link to QR
      </Button>
      <Modal
        isDismissable
        className="modal"
        isOpen={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) link.reset();
        }}
      >
        <Dialog className="dialog">
          {({ close }) => (
            <>
              <Heading slot="title">Enrolment link for {member.email}</Heading>
              {link.isPending ? <p role="status">Creating the link…</p> : null}
              {link.error ? <FormAlert>{link.error instanceof ApiCallError ? problemMessage(link.error.problem) : 'Something went wrong. Try again.'}</FormAlert> : null}
              {link.data ? (
                <>
                  <SecretOnce label="Enrolment link" value={link.data.enrollmentUrl}>
                    Shown once. Give it to {member.email} only: it opens a page where they type their password, scan the QR code with their
                    authenticator app and confirm a code. It works once, until {new Date(link.data.expiresAt).toLocaleString()}.
                  </SecretOnce>
                  {/* A plain link: the page is the API's, outside the console's router. */}
                  <a className="button" href={link.data.enrollmentUrl} target="_blank" rel="noopener noreferrer">
                    Open
                  </a>
                </>
              ) : null}
              <div className="dialog-actions">
                <Button className="button" onPress={close}>
                  Close
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </>
  );
}

function Invitations({ accountId }: { accountId: string }) {
  const queryClient = useQueryClient();
  const scopeLabel = useScopeLabel(accountId);
  const paging = useCursorPaging();
  const [role, setRole] = useState<Role>('manager');
  const [scope, setScope] = useState<Scope>('all');
  const [formKey, setFormKey] = useState(0);
  const list = useQuery({
    queryKey: [...keys.invitations(accountId), 'page', paging.cursor ?? ''],
    queryFn: () =>
      unwrap(
        api.GET('/v2/accounts/{accountId}/invitations', { params: { path: { accountId }, query: { limit: PAGE_SIZE, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } }),
      ),
    placeholderData: keepPreviousData,
  });
  const invite = useMutation({
    mutationFn: (email: string) =>
      unwrap(api.POST('/v2/accounts/{accountId}/invitations', { params: { path: { accountId } }, body: { email, role, scope: role === 'owner' ? 'all' : scope } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.invitations(accountId) }),
  });

  return (
    <section aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations</h2>
      <ConsoleForm
        key={formKey}
        className="panel"
        aria-label="Invite admin"
        fields={['email', 'role', 'scope']}
        error={invite.error}
        onSubmit={(values) => {
          invite.mutate(values.email ?? '', {
            onSuccess: () => {
              setFormKey((current) => current + 1);
              setRole('manager');
              setScope('all');
            },
          });
        }}
      >
        <TextInput onChange={() => { invite.reset(); }} name="email" label="E-mail" type="email" isRequired description="The invitation link goes to this address (7 days, once)." />
        <RoleSelect value={role} onChange={setRole} />
        <ScopePicker key={formKey} accountId={accountId} value={scope} onChange={setScope} isDisabled={role === 'owner'} />
        <SubmitButton isPending={invite.isPending}>Invite admin</SubmitButton>
        {invite.isSuccess ? (
          <p className="ok" role="status">
            Invitation sent to {invite.data.email}.
          </p>
        ) : null}
      </ConsoleForm>
      <PagedTable query={list} paging={paging} tableLabel="Pending invitations table" pagerLabel="Invitations" empty="No pending invitations.">
        {(page) => (
          <Table aria-label="Pending invitations">
            <TableHeader>
              <Column isRowHeader>E-mail</Column>
              <Column>Role</Column>
              <Column>Scope</Column>
              <Column>Expires</Column>
              <Column>Actions</Column>
            </TableHeader>
            <TableBody>
              {page.items.map((invitation) => (
                <Row key={invitation.id} id={invitation.id}>
                  <Cell>{invitation.email}</Cell>
                  <Cell>{roleName(invitation.role)}</Cell>
                  <Cell>{scopeLabel(invitation.scope)}</Cell>
                  <Cell>{new Date(invitation.expiresAt).toLocaleString()}</Cell>
                  <Cell>
                    <ConfirmAction
                      label="Revoke"
                      ariaLabel={`Revoke invitation of ${invitation.email}`}
                      title={`Revoke the invitation of ${invitation.email}?`}
                      confirmLabel="Revoke invitation"
                      onConfirm={async () => {
                        await unwrap(
                          api.DELETE('/v2/accounts/{accountId}/invitations/{invitationId}', { params: { path: { accountId, invitationId: invitation.id } } }),
                        );
                        await queryClient.invalidateQueries({ queryKey: keys.invitations(accountId) });
                      }}
                    >
                      <p>The link in their e-mail stops working. You can invite them again later.</p>
                    </ConfirmAction>
                  </Cell>
                </Row>
              ))}
            </TableBody>
          </Table>
        )}
      </PagedTable>
    </section>
  );
}
