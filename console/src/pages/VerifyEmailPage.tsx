/**
 * The e-mailed sign-up link (`/verify-email?token=`, SPEC §4 `verify-email`): the token leaves the
 * address bar at once, `POST /v2/signup/verify` creates the account and its owner's session, and the
 * console goes on to the new account. A used, expired or missing token shows the API's answer.
 */
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { AuthCard, useLinkToken, useSignedIn } from '../components/auth.tsx';
import { ErrorState, Loading } from '../components/feedback.tsx';

export default function VerifyEmailPage() {
  const token = useLinkToken();
  const navigate = useNavigate();
  const signedIn = useSignedIn();
  const verify = useMutation({
    mutationFn: (value: string) => unwrap(api.POST('/v2/signup/verify', { body: { token: value } })),
    onSuccess: (answer) => {
      signedIn(answer);
      void navigate(`/accounts/${encodeURIComponent(answer.accountId)}`, { replace: true });
    },
  });
  // The token works once: send it once, even when React runs the effect twice.
  const sent = useRef(false);
  useEffect(() => {
    if (token === undefined || sent.current) return;
    sent.current = true;
    verify.mutate(token);
  }, [token, verify]);

  return (
    <AuthCard title="Confirm your e-mail">
      {token === undefined ? (
        <p role="alert" className="form-alert">
          This page needs the link from your e-mail. Open the link again, or sign up again.
        </p>
      ) : verify.error ? (
        <ErrorState error={verify.error} />
      ) : (
        <Loading label="Creating your account…" />
      )}
      <p className="auth-links">
        <Link href="/signup">Sign up</Link> · <Link href="/login">Sign in</Link>
      </p>
    </AuthCard>
  );
}
