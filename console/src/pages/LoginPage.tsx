/**
 * Sign in (SPEC §10): e-mail and password, then the second factor when the API asks for it (a code
 * from the authenticator app, or a recovery code). The tokens are kept by the session module: the
 * access token in memory, the refresh token in the HttpOnly cookie the API sets.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Heading, Link } from 'react-aria-components';
import { useNavigate, useSearchParams } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api, session } from '../api/session.ts';
import { afterSignIn } from '../app/guards.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';

type Step = { kind: 'password' } | { kind: 'mfa'; mfaToken: string; useRecoveryCode: boolean } | { kind: 'enroll'; mfaToken: string };

export default function LoginPage() {
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [search] = useSearchParams();
  const navigate = useNavigate();

  const login = useMutation({
    mutationFn: (values: { email: string; password: string }) => unwrap(api.POST('/v2/auth/login', { body: values })),
    onSuccess: (answer) => {
      if ('accessToken' in answer) {
        session.signedIn(answer);
        void navigate(afterSignIn(search));
      } else if ('mfaRequired' in answer) setStep({ kind: 'mfa', mfaToken: answer.mfaToken, useRecoveryCode: false });
      else setStep({ kind: 'enroll', mfaToken: answer.mfaToken });
    },
  });

  const mfa = useMutation({
    mutationFn: (body: { mfaToken: string; code: string } | { mfaToken: string; recoveryCode: string }) => unwrap(api.POST('/v2/auth/mfa', { body })),
    onSuccess: (answer) => {
      session.signedIn(answer);
      void navigate(afterSignIn(search));
    },
  });

  return (
    <main id="main" className="auth-page">
      <section className="auth-card" aria-labelledby="sign-in-title">
        <Heading level={1} id="sign-in-title">
          Sign in to Portcullis
        </Heading>
        {step.kind === 'password' ? (
          <ConsoleForm
            fields={['email', 'password']}
            error={login.error}
            onSubmit={(values) => { login.mutate({ email: values.email ?? '', password: values.password ?? '' }); }}
          >
            <TextInput name="email" label="Email" type="email" autoComplete="username" isRequired autoFocus />
            <TextInput name="password" label="Password" type="password" autoComplete="current-password" isRequired />
            <SubmitButton isPending={login.isPending}>Sign in</SubmitButton>
          </ConsoleForm>
        ) : null}
        {step.kind === 'mfa' ? (
          <ConsoleForm
            fields={['code', 'recoveryCode']}
            error={mfa.error}
            onSubmit={(values) => { mfa.mutate(
                step.useRecoveryCode
                  ? { mfaToken: step.mfaToken, recoveryCode: values.recoveryCode ?? '' }
                  : { mfaToken: step.mfaToken, code: values.code ?? '' },
              ); }
            }
          >
            {step.useRecoveryCode ? (
              <TextInput key="recovery" name="recoveryCode" label="Recovery code" autoComplete="off" isRequired autoFocus />
            ) : (
              <TextInput
                key="code"
                name="code"
                label="Authentication code"
                description="The 6-digit code your authenticator app shows."
                inputMode="numeric"
                autoComplete="one-time-code"
                isRequired
                autoFocus
              />
            )}
            <SubmitButton isPending={mfa.isPending}>Verify</SubmitButton>
            <button type="button" className="link-button" onClick={() => { setStep({ ...step, useRecoveryCode: !step.useRecoveryCode }); }}>
              {step.useRecoveryCode ? 'Use a code from the app instead' : 'Use a recovery code instead'}
            </button>
          </ConsoleForm>
        ) : null}
        {step.kind === 'enroll' ? (
          <p role="alert">Your account requires two-factor authentication. (Enrolment at sign-in is not built yet.)</p>
        ) : null}
        <p className="auth-links">
          <Link href="/forgot-password">Forgot password?</Link> · <Link href="/signup">Create an account</Link>
        </p>
      </section>
    </main>
  );
}
