/**
 * The operator's own page (SPEC §10 Profile): the login's e-mail; two-factor authentication (the
 * **Enable 2FA** wizard, new recovery codes, Disable 2FA); passkeys (components/passkeys.tsx); change
 * password; and the sessions signed in with this login, the current one marked, each can be signed
 * out, or all at once. Ending the current session signs the console out.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Button, Cell, Column, Heading, Input, Label, Row, Table, TableBody, TableHeader, TextField } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api, session } from '../api/session.ts';
import { keys, useMe } from '../app/queries.ts';
import { DownloadCodesButton, RecoveryCodeList, TotpWizard, useFocusOnMount } from '../components/auth.tsx';
import { ConfirmAction } from '../components/dialogs.tsx';
import { PageHeader, QueryState } from '../components/feedback.tsx';
import { PasskeysSection } from '../components/passkeys.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';
import { TableScroll } from '../components/paging.tsx';

export default function ProfilePage() {
  const me = useMe();
  const queryClient = useQueryClient();
  // The 2FA status is read fresh on arrival, not from the shell's cached copy: it may have changed elsewhere.
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: keys.me, exact: true });
  }, [queryClient]);
  return (
    <>
      <PageHeader title="Profile" />
      <QueryState query={me}>
        {(profile) => (
          <>
            <section className="panel" aria-labelledby="login-title">
              <Heading level={2} id="login-title">
                Your login
              </Heading>
              <p>
                Email: <strong>{profile.email}</strong>
              </p>
            </section>
            <TwoFactor totp={profile.mfa.totp} recoveryCodesRemaining={profile.mfa.recoveryCodesRemaining} />
            <PasskeysSection totp={profile.mfa.totp} />
            <ChangePassword />
            <Sessions />
          </>
        )}
      </QueryState>
    </>
  );
}

function TwoFactor({ totp, recoveryCodesRemaining }: { totp: boolean; recoveryCodesRemaining: number }) {
  const queryClient = useQueryClient();
  const [enrolling, setEnrolling] = useState(false);
  const [newCodes, setNewCodes] = useState<string[]>();
  const heading = useRef<HTMLHeadingElement>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.me });
  const backToSection = () => {
    setEnrolling(false);
    setNewCodes(undefined);
    void refresh().then(() => heading.current?.focus());
  };

  return (
    <section className="panel" aria-labelledby="totp-title">
      <Heading level={2} id="totp-title" ref={heading} tabIndex={-1}>
        Two-factor authentication
      </Heading>
      {enrolling ? (
        <TotpWizard headingLevel={3} onDone={backToSection} onCancel={backToSection} />
      ) : newCodes ? (
        <NewCodes codes={newCodes} onDone={backToSection} />
      ) : totp ? (
        <>
          <p>
            <span className="ok">On</span>: signing in asks for a code from your authenticator app. Recovery codes left: {recoveryCodesRemaining}.
          </p>
          <div className="button-row">
            <NewRecoveryCodes onCodes={setNewCodes} />
            <DisableTotp onDisabled={() => void refresh()} />
          </div>
        </>
      ) : (
        <>
          <p>Off: signing in asks only for your password. Turn on 2FA with an authenticator app.</p>
          <Button className="button primary" onPress={() => { setEnrolling(true); }}>
            Enable 2FA
          </Button>
        </>
      )}
    </section>
  );
}

function NewCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section aria-labelledby="new-codes-title">
      <Heading level={3} id="new-codes-title" ref={heading} tabIndex={-1}>
        Your new recovery codes
      </Heading>
      <p>The old codes no longer work. These are shown this once: download them now.</p>
      <RecoveryCodeList codes={codes} />
      <div className="button-row">
        <DownloadCodesButton codes={codes} />
        <Button className="button primary" onPress={onDone}>
          Done
        </Button>
      </div>
    </section>
  );
}

/** A 6-digit code (or the password) inside a confirmation dialog. */
function CodeField({ label, value, onChange, type = 'text' }: { label: string; value: string; onChange: (value: string) => void; type?: 'text' | 'password' }) {
  return (
    <TextField className="field" value={value} onChange={onChange} type={type} {...(type === 'text' ? { inputMode: 'numeric' as const, autoComplete: 'one-time-code' } : { autoComplete: 'current-password' })}>
      <Label>{label}</Label>
      <Input />
    </TextField>
  );
}

function NewRecoveryCodes({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const [code, setCode] = useState('');
  return (
    <ConfirmAction
      label="New recovery codes"
      title="New recovery codes"
      confirmLabel="Make new codes"
      destructive={false}
      onConfirm={async () => {
        const answer = await unwrap(api.POST('/v2/me/mfa/recovery-codes', { body: { code } }));
        setCode('');
        onCodes(answer.recoveryCodes);
      }}
    >
      <p>Your current recovery codes stop working. Confirm with a code from your authenticator app.</p>
      <CodeField label="Authentication code" value={code} onChange={setCode} />
    </ConfirmAction>
  );
}

function DisableTotp({ onDisabled }: { onDisabled: () => void }) {
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  return (
    <ConfirmAction
      label="Disable 2FA"
      title="Disable two-factor authentication?"
      confirmLabel="Disable 2FA"
      onConfirm={async () => {
        await unwrap(api.DELETE('/v2/me/mfa/totp', { body: code !== '' ? { code } : { password } }));
        setCode('');
        setPassword('');
        onDisabled();
      }}
    >
      <p>Signing in will ask only for your password, and your recovery codes stop working. Confirm with a code from your app, or with your password.</p>
      <CodeField label="Authentication code" value={code} onChange={setCode} />
      <CodeField label="Or your password" value={password} onChange={setPassword} type="password" />
    </ConfirmAction>
  );
}

function ChangePassword() {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string; form: HTMLFormElement }) =>
      unwrap(api.POST('/v2/me/password', { body: { currentPassword: body.currentPassword, newPassword: body.newPassword } })),
    onSuccess: (_answer, { form }) => {
      form.reset();
      void queryClient.invalidateQueries({ queryKey: keys.mySessions });
    },
  });
  return (
    <section className="panel" aria-labelledby="password-title">
      <Heading level={2} id="password-title">
        Change password
      </Heading>
      <ConsoleForm
        fields={['currentPassword', 'newPassword']}
        error={change.error}
        onSubmit={(values, form) => {
          change.mutate({ currentPassword: values.currentPassword ?? '', newPassword: values.newPassword ?? '', form });
        }}
      >
        <TextInput name="currentPassword" label="Current password" type="password" autoComplete="current-password" isRequired />
        <TextInput name="newPassword" label="New password" type="password" autoComplete="new-password" description="At least 12 characters. Your other sessions end." isRequired />
        <SubmitButton isPending={change.isPending}>Change password</SubmitButton>
        {change.isSuccess ? (
          <p role="status" className="ok">
            Password changed. Your other sessions have ended.
          </p>
        ) : null}
      </ConsoleForm>
    </section>
  );
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The browser of a User-Agent in a word or two ("Chrome", "Firefox", "curl"); the full string is in the cell's title. */
function describeAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown';
  for (const [marker, name] of [['Edg/', 'Edge'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari']] as const) {
    if (userAgent.includes(marker)) return `${name}${userAgent.includes('Headless') ? ' (headless)' : ''}`;
  }
  return userAgent.split(/[\s/]/)[0] ?? 'Unknown';
}

function Sessions() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const sessions = useQuery({ queryKey: keys.mySessions, queryFn: () => unwrap(api.GET('/v2/me/sessions')) });
  const signedOut = async () => {
    await session.signOut();
    queryClient.clear();
    void navigate('/login', { replace: true });
  };
  return (
    <section className="panel" aria-labelledby="sessions-title">
      <Heading level={2} id="sessions-title">
        Your sessions
      </Heading>
      <QueryState query={sessions}>
        {({ items }) => (
          <>
            <TableScroll label="Your sessions">
              <Table aria-labelledby="sessions-title" className="table">
                <TableHeader>
                  <Column isRowHeader>Signed in</Column>
                  <Column>Last used</Column>
                  <Column>Browser</Column>
                  <Column>Network</Column>
                  <Column>Factors</Column>
                  <Column>
                    <span className="visually-hidden">Actions</span>
                  </Column>
                </TableHeader>
                <TableBody items={items}>
                  {(item) => (
                    <Row id={item.id}>
                      <Cell>
                        {when.format(new Date(item.createdAt))}
                        {item.current ? <strong className="current-session"> (this session)</strong> : null}
                      </Cell>
                      <Cell>{when.format(new Date(item.lastUsedAt))}</Cell>
                      <Cell>{describeAgent(item.userAgent)}</Cell>
                      <Cell>{item.ipPrefix ?? '—'}</Cell>
                      <Cell>{item.amr.join(' + ')}</Cell>
                      <Cell>
                        <ConfirmAction
                          label="Sign out"
                          ariaLabel={`Sign out the session signed in ${when.format(new Date(item.createdAt))}${item.current ? ' (this session)' : ''}`}
                          title={item.current ? 'Sign out this session?' : 'Sign out that session?'}
                          confirmLabel="Sign out"
                          onConfirm={async () => {
                            await unwrap(api.DELETE('/v2/me/sessions/{sessionId}', { params: { path: { sessionId: item.id } } }));
                            if (item.current) await signedOut();
                            else await queryClient.invalidateQueries({ queryKey: keys.mySessions });
                          }}
                        >
                          {item.current ? <p>This is the session you are using: the console signs out.</p> : <p>That browser is signed out at its next refresh (within 15 minutes).</p>}
                        </ConfirmAction>
                      </Cell>
                    </Row>
                  )}
                </TableBody>
              </Table>
            </TableScroll>
            <ConfirmAction
              label="Sign out everywhere"
              title="Sign out everywhere?"
              confirmLabel="Sign out everywhere"
              onConfirm={async () => {
                await unwrap(api.DELETE('/v2/me/sessions'));
                await signedOut();
              }}
            >
              <p>Every session of yours ends, this one too.</p>
            </ConfirmAction>
          </>
        )}
      </QueryState>
    </section>
  );
}
