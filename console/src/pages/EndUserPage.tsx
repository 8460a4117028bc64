/**
 * One end user (SPEC §10): edit e-mail, phone and name; disable or enable (a disabled user's sign-in
 * is refused the way an unknown user's is); TOTP enrolment for them (QR code with the secret beneath,
 * confirmed with a code, recovery codes shown once) and its removal; delete. The secret and the
 * recovery codes live in this page's state only.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useNavigate, useParams } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys } from '../app/queries.ts';
import { paths, useAccountId, useOrgId } from '../app/selection.ts';
import { ConfirmAction, SecretOnce } from '../components/dialogs.tsx';
import { Time, type EndUserResource } from '../components/directory.tsx';
import { PageHeader, QueryState } from '../components/feedback.tsx';
import { ConsoleForm, FormAlert, formErrors, SubmitButton, TextInput } from '../components/forms.tsx';

export default function EndUserPage() {
  const accountId = useAccountId();
  const orgId = useOrgId();
  const userId = useParams().userId ?? '';
  const user = useQuery({
    queryKey: keys.endUser(orgId, userId),
    queryFn: () => unwrap(api.GET('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId, userId } } })),
  });
  return (
    <>
      <PageHeader title={user.data ? `End user ${user.data.email}` : 'End user'} />
      <QueryState query={user}>
        {(loaded) => (
          <>
            <EditEndUser orgId={orgId} user={loaded} />
            <Status orgId={orgId} user={loaded} />
            <Totp orgId={orgId} userId={loaded.id} />
            <DeleteEndUser accountId={accountId} orgId={orgId} user={loaded} />
          </>
        )}
      </QueryState>
    </>
  );
}

function EditEndUser({ orgId, user }: { orgId: string; user: EndUserResource }) {
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (body: { email: string; phone: string; name: string | null }) =>
      unwrap(api.PATCH('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId, userId: user.id } }, body })),
    onSuccess: async (updated) => {
      queryClient.setQueryData(keys.endUser(orgId, user.id), updated);
      await queryClient.invalidateQueries({ queryKey: keys.endUsers(orgId) });
      setSaved(true);
    },
  });
  return (
    <section className="panel" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <p className="hint">
        Created <Time value={user.createdAt} />, id <span className="mono">{user.id}</span>.
      </p>
      <ConsoleForm
        fields={['email', 'phone', 'name']}
        error={save.error}
        onSubmit={(values) => {
          setSaved(false);
          const name = (values.name ?? '').trim();
          save.mutate({ email: values.email ?? '', phone: values.phone ?? '', name: name === '' ? null : name });
        }}
      >
        <TextInput name="email" label="Email" type="email" isRequired defaultValue={user.email} />
        <TextInput name="phone" label="Mobile phone" type="tel" isRequired defaultValue={user.phone} description="International form with the country code." />
        <TextInput name="name" label="Name" defaultValue={user.name ?? ''} description="Empty: no name." />
        <SubmitButton isPending={save.isPending}>Save</SubmitButton>
        {saved ? (
          <p role="status" className="ok">
            Saved.
          </p>
        ) : null}
      </ConsoleForm>
    </section>
  );
}

function Status({ orgId, user }: { orgId: string; user: EndUserResource }) {
  const queryClient = useQueryClient();
  const setStatus = async (status: 'active' | 'disabled') => {
    const updated = await unwrap(api.PATCH('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId, userId: user.id } }, body: { status } }));
    queryClient.setQueryData(keys.endUser(orgId, user.id), updated);
    await queryClient.invalidateQueries({ queryKey: keys.endUsers(orgId) });
  };
  const enable = useMutation({ mutationFn: () => setStatus('active') });
  return (
    <section className="panel" aria-labelledby="status-title">
      <h2 id="status-title">Status</h2>
      <p>
        This end user is <strong>{user.status === 'active' ? 'active' : 'disabled'}</strong>.{' '}
        {user.status === 'active' ? 'They can sign in to the systems they have access to.' : 'Their sign-ins are refused.'}
      </p>
      {user.status === 'active' ? (
        <ConfirmAction label="Disable" ariaLabel="Disable end user" title={`Disable ${user.email}?`} confirmLabel="Disable" onConfirm={() => setStatus('disabled')}>
          <p>Their sign-ins are refused until you enable them again; nothing else changes.</p>
        </ConfirmAction>
      ) : (
        <>
          <Button className="button" isPending={enable.isPending} onPress={() => { enable.mutate(); }}>
            Enable
          </Button>
          {enable.error ? <FormAlert>{formErrors(enable.error, []).message}</FormAlert> : null}
        </>
      )}
    </section>
  );
}

type Enrolment = { secret: string; secretGroups: string; qrCodeSvg: string };

function Totp({ orgId, userId }: { orgId: string; userId: string }) {
  const [enrolment, setEnrolment] = useState<Enrolment>();
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const [removed, setRemoved] = useState(false);
  const path = { orgId, userId };
  const start = useMutation({
    mutationFn: () => unwrap(api.POST('/v2/organizations/{orgId}/users/{userId}/totp', { params: { path } })),
    onSuccess: (answer) => {
      setRecoveryCodes(undefined);
      setRemoved(false);
      setEnrolment({ secret: answer.secret, secretGroups: answer.secretGroups, qrCodeSvg: answer.qrCodeSvg });
    },
  });
  const confirm = useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/v2/organizations/{orgId}/users/{userId}/totp/confirm', { params: { path }, body: { code } })),
    onSuccess: (answer) => {
      setEnrolment(undefined);
      setRecoveryCodes(answer.recoveryCodes);
    },
  });
  return (
    <section className="panel" aria-labelledby="totp-title">
      <h2 id="totp-title">Authenticator app (TOTP)</h2>
      <p className="hint">For systems whose policy asks for TOTP. Enrol it with the end user present: they scan the QR code and tell you a code.</p>
      {enrolment ? (
        <div className="totp-enrolment">
          <img className="qr" src={`data:image/svg+xml;base64,${btoa(enrolment.qrCodeSvg)}`} alt="QR code for the authenticator app" width={200} height={200} />
          <p>
            Or type this secret into the app: <span className="mono secret-text">{enrolment.secretGroups}</span>
          </p>
          <ConsoleForm fields={['code']} error={confirm.error} onSubmit={(values) => { confirm.mutate(values.code ?? ''); }}>
            <TextInput name="code" label="Code from the app" inputMode="numeric" autoComplete="one-time-code" isRequired description="The 6-digit code the app shows now." />
            <SubmitButton isPending={confirm.isPending}>Verify</SubmitButton>
          </ConsoleForm>
        </div>
      ) : (
        <Button className="button" isPending={start.isPending} onPress={() => { start.mutate(); }}>
          Enrol TOTP
        </Button>
      )}
      {start.error ? <FormAlert>{formErrors(start.error, []).message}</FormAlert> : null}
      {recoveryCodes ? (
        <>
          <p role="status" className="ok">
            TOTP enrolled.
          </p>
          <SecretOnce label="Recovery codes" value={recoveryCodes.join(' ')}>
            These recovery codes are shown once. Give them to the end user: each replaces one TOTP code, once.
          </SecretOnce>
        </>
      ) : null}
      <div className="row-actions">
        <ConfirmAction
          label="Remove TOTP"
          title="Remove this end user's TOTP?"
          confirmLabel="Remove TOTP"
          onConfirm={async () => {
            await unwrap(api.DELETE('/v2/organizations/{orgId}/users/{userId}/totp', { params: { path } }));
            setEnrolment(undefined);
            setRecoveryCodes(undefined);
            setRemoved(true);
          }}
        >
          <p>Their authenticator app and recovery codes stop working; a policy that asks for TOTP then refuses them until they enrol again.</p>
        </ConfirmAction>
      </div>
      {removed ? (
        <p role="status" className="ok">
          TOTP removed.
        </p>
      ) : null}
    </section>
  );
}

function DeleteEndUser({ accountId, orgId, user }: { accountId: string; orgId: string; user: EndUserResource }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (
    <section className="panel" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      <ConfirmAction
        label="Delete end user"
        title={`Delete ${user.email}?`}
        confirmLabel="Delete end user"
        onConfirm={async () => {
          await unwrap(api.DELETE('/v2/organizations/{orgId}/users/{userId}', { params: { path: { orgId, userId: user.id } } }));
          // Leave the page first, so its query does not ask again for the user just deleted.
          await navigate(paths.organizationPage(accountId, orgId, 'users'));
          queryClient.removeQueries({ queryKey: keys.endUser(orgId, user.id) });
          await queryClient.invalidateQueries({ queryKey: keys.endUsers(orgId) });
        }}
      >
        <p>Their access grants and TOTP go with them. This cannot be undone.</p>
      </ConfirmAction>
    </section>
  );
}
