/**
 * The e-mailed invitation link (`/accept?token=`, SPEC §4 `POST /v2/invitations/accept`). The token
 * leaves the address bar at once and stays in memory. A new person chooses a password and is signed in
 * (or sets up 2FA first when the account requires it); someone who already has a login accepts signed
 * in as the invited address, so the API's `sign_in_required` turns into the sign-in form here, and the
 * accept is sent again once they are in. Either way the console ends on the invited account.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { ApiCallError, unwrap } from '../api/problem.ts';
import { api, session } from '../api/session.ts';
import { useSessionState } from '../app/guards.tsx';
import { keys } from '../app/queries.ts';
import { AuthCard, SignInFlow, useLinkToken, useSignedIn, type SignInStep } from '../components/auth.tsx';
import { ErrorState, Loading } from '../components/feedback.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';

export default function AcceptInvitationPage() {
  const token = useLinkToken();
  const state = useSessionState();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signedIn = useSignedIn();
  /** The sign-in the API asked for: an existing login, or a new person's second step or enrolment. */
  const [signIn, setSignIn] = useState<{ step: SignInStep; thenAccept: boolean }>();
  const [accountId, setAccountId] = useState<string>();

  useEffect(() => {
    if (state === 'unknown') void session.restore();
  }, [state]);
  const me = useQuery({ queryKey: keys.me, enabled: state === 'signed-in', queryFn: () => unwrap(api.GET('/v2/me')) });

  const goToAccount = (id: string) => {
    void queryClient.invalidateQueries({ queryKey: keys.me });
    void navigate(`/accounts/${encodeURIComponent(id)}`, { replace: true });
  };

  const accept = useMutation({
    mutationFn: (password: string | undefined) =>
      unwrap(api.POST('/v2/invitations/accept', { body: { token: token ?? '', ...(password === undefined ? {} : { password }) } })),
    onSuccess: (answer) => {
      setAccountId(answer.accountId);
      if ('joined' in answer) goToAccount(answer.accountId);
      else if ('accessToken' in answer) {
        signedIn(answer);
        goToAccount(answer.accountId);
      } else if ('mfaEnrollmentRequired' in answer) setSignIn({ step: { kind: 'enroll', mfaToken: answer.mfaToken }, thenAccept: false });
      else setSignIn({ step: { kind: 'mfa', mfaToken: answer.mfaToken, useRecoveryCode: false }, thenAccept: false });
    },
    onError: (error) => {
      if (isSignInRequired(error)) setSignIn({ step: { kind: 'password' }, thenAccept: true });
    },
  });

  if (token === undefined) {
    return (
      <AuthCard title="Accept invitation">
        <p role="alert" className="form-alert">
          This page needs the link from your invitation e-mail. Open the link again.
        </p>
        <p className="auth-links">
          <Link href="/login">Sign in</Link>
        </p>
      </AuthCard>
    );
  }
  if (signIn) {
    return (
      <AuthCard title="Accept invitation">
        {signIn.thenAccept ? <p role="status">This e-mail address already has a login. Sign in as it to accept the invitation.</p> : null}
        <SignInFlow
          initial={signIn.step}
          onSignedIn={() => {
            if (signIn.thenAccept) {
              setSignIn(undefined);
              accept.mutate(undefined);
            } else goToAccount(accountId ?? '');
          }}
        />
        {signIn.thenAccept && accept.error && !isSignInRequired(accept.error) ? <ErrorState error={accept.error} /> : null}
      </AuthCard>
    );
  }
  if (state === 'unknown') {
    return (
      <AuthCard title="Accept invitation">
        <Loading />
      </AuthCard>
    );
  }
  if (state === 'signed-in') {
    return (
      <AuthCard title="Accept invitation">
        <p>
          You are signed in as <strong>{me.data?.email ?? '…'}</strong>. Accept to join the account that invited this address.
        </p>
        {accept.error ? <ErrorState error={accept.error} /> : null}
        <div className="button-row">
          <Button className="button primary" isPending={accept.isPending} onPress={() => { accept.mutate(undefined); }}>
            Accept invitation
          </Button>
          <Button
            className="button"
            onPress={() => {
              void session.signOut().finally(() => {
                queryClient.clear();
                accept.reset();
                setSignIn({ step: { kind: 'password' }, thenAccept: true });
              });
            }}
          >
            Sign in as someone else
          </Button>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Accept invitation">
      <p>Choose a password for your new Portcullis login, then you join the account that invited you.</p>
      <ConsoleForm
        fields={['password']}
        error={accept.error && !isSignInRequired(accept.error) ? accept.error : undefined}
        onSubmit={(values) => {
          accept.mutate(values.password ?? '');
        }}
      >
        <TextInput name="password" label="Choose a password" type="password" autoComplete="new-password" description="At least 12 characters; a passphrase is best." isRequired autoFocus />
        <SubmitButton isPending={accept.isPending}>Accept invitation</SubmitButton>
      </ConsoleForm>
      <p className="auth-links">
        Already have a login?{' '}
        <Button className="link-button" onPress={() => { setSignIn({ step: { kind: 'password' }, thenAccept: true }); }}>
          Sign in to accept
        </Button>
      </p>
    </AuthCard>
  );
}

function isSignInRequired(error: unknown): boolean {
  return error instanceof ApiCallError && error.problem !== undefined && 'code' in error.problem && error.problem.code === 'sign_in_required';
}
