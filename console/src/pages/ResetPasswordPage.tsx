/**
 * The e-mailed reset link (`/reset-password?token=`): the token leaves the address bar at once, the
 * operator chooses a new password (`POST /v2/auth/password/reset`), every session of theirs ends, and
 * they sign in again (with their second factor: a reset never bypasses it).
 */
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-aria-components';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { AuthCard, useFocusOnMount, useLinkToken } from '../components/auth.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';

export default function ResetPasswordPage() {
  const token = useLinkToken();
  const reset = useMutation({
    mutationFn: (newPassword: string) => unwrap(api.POST('/v2/auth/password/reset', { body: { token: token ?? '', newPassword } })),
  });
  return (
    <AuthCard title="Choose a new password">
      {reset.isSuccess ? (
        <Done />
      ) : token === undefined ? (
        <p role="alert" className="form-alert">
          This page needs the link from your e-mail. Open the link again, or <Link href="/forgot-password">ask for a new one</Link>.
        </p>
      ) : (
        <ConsoleForm
          fields={['newPassword']}
          error={reset.error}
          onSubmit={(values) => {
            reset.mutate(values.newPassword ?? '');
          }}
        >
          <TextInput name="newPassword" label="New password" type="password" autoComplete="new-password" description="At least 12 characters; a passphrase is best." isRequired autoFocus />
          <SubmitButton isPending={reset.isPending}>Set the new password</SubmitButton>
        </ConsoleForm>
      )}
      <p className="auth-links">
        <Link href="/forgot-password">Ask for a new link</Link>
      </p>
    </AuthCard>
  );
}

function Done() {
  const note = useFocusOnMount<HTMLParagraphElement>();
  return (
    <>
      <p ref={note} tabIndex={-1} role="status">
        Your password is changed, and every session of yours has ended.
      </p>
      <p>
        <Link href="/login" className="button primary">
          Sign in
        </Link>
      </p>
    </>
  );
}
