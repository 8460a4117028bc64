/**
 * Forgot password (`POST /v2/auth/password/forgot`): the API answers 202 for every well-formed address,
 * an operator's or not, and so does the page: it never says whether the address has a login.
 */
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-aria-components';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { AuthCard, useFocusOnMount } from '../components/auth.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';

export default function ForgotPasswordPage() {
  const forgot = useMutation({
    mutationFn: (email: string) => unwrap(api.POST('/v2/auth/password/forgot', { body: { email } })),
  });
  return (
    <AuthCard title="Reset your password">
      {forgot.isSuccess ? (
        <Sent email={forgot.variables} />
      ) : (
        <ConsoleForm
          fields={['email']}
          error={forgot.error}
          onSubmit={(values) => {
            forgot.mutate(values.email ?? '');
          }}
        >
          <p>Enter the e-mail address you sign in with. If it has a login, we send it a link to choose a new password.</p>
          <TextInput name="email" label="Email" type="email" autoComplete="username" isRequired autoFocus />
          <SubmitButton isPending={forgot.isPending}>Send the link</SubmitButton>
        </ConsoleForm>
      )}
      <p className="auth-links">
        <Link href="/login">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}

function Sent({ email }: { email: string }) {
  const note = useFocusOnMount<HTMLParagraphElement>();
  return (
    <p ref={note} tabIndex={-1} role="status">
      If <strong>{email}</strong> has a login, a link to reset its password is on its way. It works once, for 30 minutes.
    </p>
  );
}
