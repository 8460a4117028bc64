/**
 * Create an account (SPEC §4 `POST /v2/signup`). What happens is the deployment's `signup` setting:
 * `open` answers 201 with a session (signed in, on to the new account); `verify-email` answers 202 for
 * every well-formed request, and the page says to check the inbox; `closed` answers 403, shown as is.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { AuthCard, useFocusOnMount, useSignedIn } from '../components/auth.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';

export default function SignupPage() {
  const navigate = useNavigate();
  const signedIn = useSignedIn();
  const [sentTo, setSentTo] = useState<string>();
  const signup = useMutation({
    mutationFn: (body: { email: string; password: string; accountName: string }) => unwrap(api.POST('/v2/signup', { body })),
    onSuccess: (answer, body) => {
      if ('accessToken' in answer) {
        signedIn(answer);
        void navigate(`/accounts/${encodeURIComponent(answer.accountId)}`);
      } else setSentTo(body.email);
    },
  });

  if (sentTo !== undefined) return <CheckYourEmail email={sentTo} />;
  return (
    <AuthCard title="Create an account">
      <ConsoleForm
        fields={['email', 'password', 'accountName']}
        error={signup.error}
        onSubmit={(values) => {
          signup.mutate({ email: values.email ?? '', password: values.password ?? '', accountName: values.accountName ?? '' });
        }}
      >
        <TextInput name="accountName" label="Account name" description="Your company or team, as your colleagues will see it." autoComplete="organization" isRequired autoFocus />
        <TextInput name="email" label="Email" type="email" autoComplete="email" isRequired />
        <TextInput name="password" label="Password" type="password" autoComplete="new-password" description="At least 12 characters; a passphrase is best." isRequired />
        <SubmitButton isPending={signup.isPending}>Create account</SubmitButton>
      </ConsoleForm>
      <p className="auth-links">
        Already have a login? <Link href="/login">Sign in</Link>
      </p>
    </AuthCard>
  );
}

function CheckYourEmail({ email }: { email: string }) {
  const heading = useFocusOnMount<HTMLParagraphElement>();
  return (
    <AuthCard title="Check your e-mail">
      <p ref={heading} tabIndex={-1} role="status">
        We sent a message to <strong>{email}</strong>. Open the link in it within 24 hours to finish creating your account.
      </p>
      <p className="hint">Nothing arrived? Check the spam folder, or sign up again in a minute.</p>
      <p className="auth-links">
        <Link href="/login">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}
