/**
 * The parts the sign-in pages and the Profile page share (SPEC §10): the card the public pages sit in,
 * the e-mailed link's token taken out of the address bar, the sign-in flow (password, then the second
 * factor or the enforced enrolment), the **Enable 2FA** wizard and the recovery codes shown once.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { Button, Heading } from 'react-aria-components';
import { useSearchParams } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api, session, type IssuedTokens } from '../api/session.ts';
import { ConsoleForm, SubmitButton, TextInput } from './forms.tsx';
import { PasskeySignInButton, usePasskeySignIn, type PasskeyLoginAnswer } from './passkey-sign-in.tsx';

/** A public page (no shell): one card with the page's one `h1`. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="auth-page">
      <section className="auth-card" aria-labelledby="auth-title">
        <Heading level={1} id="auth-title">
          {title}
        </Heading>
        {children}
      </section>
    </main>
  );
}

/**
 * The `?token=` of an e-mailed link, read once into memory and taken out of the address bar at once
 * (replace, so Back does not bring it back either): it must not linger in history, a screenshot or a
 * Referer. Undefined when the page was opened without one (or reloaded after it was taken).
 */
export function useLinkToken(): string | undefined {
  const [search, setSearch] = useSearchParams();
  const [token] = useState(() => search.get('token') ?? undefined);
  useEffect(() => {
    if (search.has('token')) {
      const rest = new URLSearchParams(search);
      rest.delete('token');
      setSearch(rest, { replace: true });
    }
  }, [search, setSearch]);
  return token;
}

/** Focus on mount: a wizard step's heading (tabIndex -1) or its first field, so keyboard and screen-reader users land on the new step. */
export function useFocusOnMount<T extends HTMLElement>(): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

/** Keeps the tokens an answer carried and forgets whatever the previous session had cached. */
export function useSignedIn(): (tokens: IssuedTokens) => void {
  const queryClient = useQueryClient();
  return (tokens) => {
    queryClient.clear();
    session.signedIn(tokens);
  };
}

export type SignInStep =
  | { kind: 'password' }
  | { kind: 'mfa'; mfaToken: string; useRecoveryCode: boolean }
  | { kind: 'enroll'; mfaToken: string };

/**
 * Sign in: e-mail and password, then what the API asks next: a code from the app or a recovery code
 * (`mfaRequired`), or setting up 2FA first (`mfaEnrollmentRequired`, the account requires it), with the
 * enrolment's `mfaToken` as the credential. `onSignedIn` runs once a session is in memory. With
 * `passkeys`, **Sign in with a passkey** (and the autofill's passkeys) is a way in beside the password:
 * its answer is taken exactly like the password's.
 */
export function SignInFlow({
  initial = { kind: 'password' },
  email,
  passkeys = false,
  onSignedIn,
}: {
  initial?: SignInStep;
  email?: string;
  passkeys?: boolean;
  onSignedIn: () => void;
}) {
  const [step, setStep] = useState<SignInStep>(initial);
  const signedIn = useSignedIn();

  const answered = (answer: PasskeyLoginAnswer) => {
    if ('accessToken' in answer) {
      signedIn(answer);
      onSignedIn();
    } else if ('mfaRequired' in answer) setStep({ kind: 'mfa', mfaToken: answer.mfaToken, useRecoveryCode: false });
    else setStep({ kind: 'enroll', mfaToken: answer.mfaToken });
  };
  const passkey = usePasskeySignIn(passkeys && step.kind === 'password', answered);

  const login = useMutation({
    mutationFn: (values: { email: string; password: string }) => unwrap(api.POST('/v2/auth/login', { body: values })),
    onSuccess: answered,
    onError: () => {
      passkey.resumeAutofill();
    },
  });

  const mfa = useMutation({
    mutationFn: (body: { mfaToken: string; code: string } | { mfaToken: string; recoveryCode: string }) => unwrap(api.POST('/v2/auth/mfa', { body })),
    onSuccess: (answer) => {
      signedIn(answer);
      onSignedIn();
    },
  });

  if (step.kind === 'enroll') {
    return (
      <>
        <p role="status">Your account requires two-factor authentication. Set it up now to finish signing in.</p>
        <TotpWizard mfaToken={step.mfaToken} headingLevel={2} onDone={onSignedIn} />
      </>
    );
  }
  if (step.kind === 'mfa') {
    return (
      <ConsoleForm
        fields={['code', 'recoveryCode']}
        error={mfa.error}
        onSubmit={(values) => {
          mfa.mutate(
            step.useRecoveryCode ? { mfaToken: step.mfaToken, recoveryCode: values.recoveryCode ?? '' } : { mfaToken: step.mfaToken, code: values.code ?? '' },
          );
        }}
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
        <Button
          className="link-button"
          onPress={() => {
            mfa.reset();
            setStep({ ...step, useRecoveryCode: !step.useRecoveryCode });
          }}
        >
          {step.useRecoveryCode ? 'Use a code from the app instead' : 'Use a recovery code instead'}
        </Button>
      </ConsoleForm>
    );
  }
  return (
    <>
      <ConsoleForm
        fields={['email', 'password']}
        error={login.error}
        onSubmit={(values) => {
          passkey.stopAutofill();
          login.mutate({ email: values.email ?? '', password: values.password ?? '' });
        }}
      >
        <TextInput
          name="email"
          label="Email"
          type="email"
          autoComplete={passkey.autofill ? 'username webauthn' : 'username'}
          isRequired
          autoFocus={email === undefined}
          {...(email ? { defaultValue: email } : {})}
        />
        <TextInput name="password" label="Password" type="password" autoComplete="current-password" isRequired autoFocus={email !== undefined} />
        <SubmitButton isPending={login.isPending}>Sign in</SubmitButton>
      </ConsoleForm>
      <PasskeySignInButton passkey={passkey} />
    </>
  );
}

type Enrollment = { secret: string; secretGroups: string; qrCodeSvg: string };

/**
 * The **Enable 2FA** wizard (SPEC §10, the seeds' words): **Get QR Code** (after the password when
 * signed in; with the enrolment `mfaToken` at an enforced sign-in the password was just checked) → the
 * QR code as an image with the secret beneath it → the code and **Verify** → the recovery codes with
 * **Download recovery codes** → **Done**. Each step moves focus to its heading or first field. With an
 * `mfaToken` the confirmation also answers the session, which is kept before **Done**.
 */
export function TotpWizard({ mfaToken, headingLevel = 2, onDone, onCancel }: { mfaToken?: string; headingLevel?: number; onDone: () => void; onCancel?: () => void }) {
  const [enrollment, setEnrollment] = useState<Enrollment>();
  const [codes, setCodes] = useState<string[]>();
  const signedIn = useSignedIn();
  // The enrolment mfaToken is the credential of these two routes (docs/decisions.md "mfaToken"); signed in, the access token is.
  const headers = mfaToken ? { authorization: `Bearer ${mfaToken}` } : undefined;

  const start = useMutation({
    mutationFn: (password: string | undefined) =>
      unwrap(api.POST('/v2/me/mfa/totp', { body: password === undefined ? {} : { password }, ...(headers ? { headers } : {}) })),
    onSuccess: (answer) => {
      setEnrollment(answer);
    },
  });
  const confirm = useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/v2/me/mfa/totp/confirm', { body: { code }, ...(headers ? { headers } : {}) })),
    onSuccess: (answer) => {
      if (answer.accessToken !== undefined && answer.expiresIn !== undefined) signedIn({ accessToken: answer.accessToken, expiresIn: answer.expiresIn });
      setCodes(answer.recoveryCodes);
      setEnrollment(undefined);
    },
  });

  if (codes) return <RecoveryCodesStep codes={codes} headingLevel={headingLevel} onDone={onDone} />;
  if (enrollment) return <ScanStep enrollment={enrollment} headingLevel={headingLevel} error={confirm.error} isPending={confirm.isPending} onVerify={(code) => { confirm.mutate(code); }} />;
  return (
    <StartStep
      askPassword={mfaToken === undefined}
      headingLevel={headingLevel}
      error={start.error}
      isPending={start.isPending}
      onStart={(password) => {
        start.mutate(password);
      }}
      {...(onCancel ? { onCancel } : {})}
    />
  );
}

function StartStep({
  askPassword,
  headingLevel,
  error,
  isPending,
  onStart,
  onCancel,
}: {
  askPassword: boolean;
  headingLevel: number;
  error: unknown;
  isPending: boolean;
  onStart: (password: string | undefined) => void;
  onCancel?: () => void;
}) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section className="wizard-step" aria-labelledby="totp-start-title">
      <Heading level={headingLevel} id="totp-start-title" ref={heading} tabIndex={-1}>
        Enable 2FA
      </Heading>
      <p>
        You will need an authenticator app (Google Authenticator, Authy, Microsoft Authenticator, FreeOTP…).
        {askPassword ? ' Confirm your password first.' : ''}
      </p>
      <ConsoleForm
        fields={['password']}
        error={error}
        onSubmit={(values) => {
          onStart(askPassword ? (values.password ?? '') : undefined);
        }}
      >
        {askPassword ? <TextInput name="password" label="Password" type="password" autoComplete="current-password" isRequired /> : null}
        <div className="button-row">
          <SubmitButton isPending={isPending}>Get QR Code</SubmitButton>
          {onCancel ? (
            <Button className="button" onPress={onCancel}>
              Cancel
            </Button>
          ) : null}
        </div>
      </ConsoleForm>
    </section>
  );
}

function ScanStep({
  enrollment,
  headingLevel,
  error,
  isPending,
  onVerify,
}: {
  enrollment: Enrollment;
  headingLevel: number;
  error: unknown;
  isPending: boolean;
  onVerify: (code: string) => void;
}) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  // An image of the API's SVG, never its markup in the page: an <img> runs no script and inherits no styles.
  const qrSource = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrollment.qrCodeSvg)}`;
  return (
    <section className="wizard-step" aria-labelledby="totp-scan-title">
      <Heading level={headingLevel} id="totp-scan-title" ref={heading} tabIndex={-1}>
        Scan the QR code
      </Heading>
      <p>Scan it with your authenticator app, or type the secret shown beneath it.</p>
      <figure className="totp-qr">
        <img src={qrSource} alt="QR code to scan with your authenticator app" width={200} height={200} />
        <figcaption>
          Secret: <code className="mono totp-secret">{enrollment.secretGroups}</code>
        </figcaption>
      </figure>
      <ConsoleForm
        fields={['code']}
        error={error}
        onSubmit={(values) => {
          onVerify(values.code ?? '');
        }}
      >
        <TextInput name="code" label="Authentication code" description="The 6-digit code the app shows now." inputMode="numeric" autoComplete="one-time-code" isRequired />
        <SubmitButton isPending={isPending}>Verify</SubmitButton>
      </ConsoleForm>
    </section>
  );
}

function RecoveryCodesStep({ codes, headingLevel, onDone }: { codes: string[]; headingLevel: number; onDone: () => void }) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section className="wizard-step" aria-labelledby="totp-codes-title">
      <Heading level={headingLevel} id="totp-codes-title" ref={heading} tabIndex={-1}>
        Save your recovery codes
      </Heading>
      <p>2FA is on. Each code signs you in once if you lose your phone. They are shown this once: download them now.</p>
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

export function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <ul className="recovery-codes mono" aria-label="Recovery codes">
      {codes.map((code) => (
        <li key={code}>{code}</li>
      ))}
    </ul>
  );
}

/** **Download recovery codes**: a text file made in the browser from the codes on screen (nothing is fetched again). */
export function DownloadCodesButton({ codes }: { codes: string[] }) {
  return (
    <Button
      className="button"
      onPress={() => {
        const text = `Portcullis recovery codes (each works once)\n\n${codes.join('\n')}\n`;
        const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
        const link = document.createElement('a');
        link.href = url;
        link.download = 'portcullis-recovery-codes.txt';
        link.click();
        setTimeout(() => {
          URL.revokeObjectURL(url);
        }, 1000);
      }}
    >
      Download recovery codes
    </Button>
  );
}
