/**
 * **Sign in with a passkey** on the sign-in page (SPEC §11): the button, and the autofill (conditional
 * UI) where the browser offers it: the e-mail field then says `autocomplete="username webauthn"` and a
 * `mediation: 'conditional'` request waits from the page's opening. The requests themselves are
 * api/passkey-sign-in.ts; this is their React side. The answer is what a password sign-in answers, so
 * the sign-in flow takes it the same way (tokens, or the TOTP step, or the enforced enrolment).
 */
import { useEffect, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { ApiCallError, problemMessage, unwrap } from '../api/problem.ts';
import { PasskeySignInRequests } from '../api/passkey-sign-in.ts';
import { api } from '../api/session.ts';
import { PasskeyCeremonyError, webauthn, type AuthenticationJSON } from '../api/webauthn.ts';
import { FormAlert } from './forms.tsx';

/** `POST /v2/auth/passkey` with the assertion. */
const finishSignIn = (flowId: string, response: AuthenticationJSON) => unwrap(api.POST('/v2/auth/passkey', { body: { flowId, response } }));

/** What `POST /v2/auth/passkey` answers: what `POST /v2/auth/login` answers (tokens, or the next step). */
export type PasskeyLoginAnswer = Awaited<ReturnType<typeof finishSignIn>>;

export interface PasskeySignIn {
  /** The browser can run a passkey ceremony: the button is offered. */
  available: boolean;
  /** The autofill offers passkeys: the e-mail field's `autocomplete` is `username webauthn`. */
  autofill: boolean;
  pending: boolean;
  error: unknown;
  signInNow: () => void;
  /** The password form is used: the autofill's request is withdrawn. */
  stopAutofill: () => void;
  /** The password sign-in failed: the autofill is offered again (where it was). */
  resumeAutofill: () => void;
}

export function usePasskeySignIn(enabled: boolean, onAnswer: (answer: PasskeyLoginAnswer) => void): PasskeySignIn {
  const available = enabled && webauthn.supported();
  const [autofill, setAutofill] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>();
  const onAnswerRef = useRef(onAnswer);
  useEffect(() => {
    onAnswerRef.current = onAnswer;
  });
  // Made in the effect (one per page, withdrawn when it goes), read by the handlers.
  const requests = useRef<PasskeySignInRequests<PasskeyLoginAnswer>>(undefined);

  useEffect(() => {
    if (!available) return;
    const created = new PasskeySignInRequests<PasskeyLoginAnswer>(
      {
        options: () => unwrap(api.POST('/v2/auth/passkey/options')),
        authenticate: (publicKey, options) => webauthn.authenticate(publicKey, options),
        signIn: finishSignIn,
      },
      {
        answered: (answer) => {
          onAnswerRef.current(answer);
        },
        failed: setError,
        pending: setPending,
      },
    );
    requests.current = created;
    let live = true;
    void webauthn.conditionalMediationAvailable().then((yes) => {
      if (!live || !yes) return;
      setAutofill(true);
      created.startAutofill();
    });
    return () => {
      live = false;
      created.dispose();
      requests.current = undefined;
    };
  }, [available]);

  return {
    available,
    autofill,
    pending,
    error,
    signInNow: () => {
      setError(undefined);
      requests.current?.signInNow();
    },
    stopAutofill: () => {
      setError(undefined);
      requests.current?.stop();
    },
    resumeAutofill: () => {
      if (autofill) requests.current?.startAutofill();
    },
  };
}

/** The button, and what the last passkey attempt says: a cancelled ceremony calmly, the API's refusal as its `detail`. */
export function PasskeySignInButton({ passkey }: { passkey: PasskeySignIn }) {
  if (!passkey.available) return null;
  const { error } = passkey;
  const ceremony = error instanceof PasskeyCeremonyError && error.reason !== 'aborted' ? error.message : undefined;
  return (
    <div className="passkey-sign-in">
      <p className="passkey-or" aria-hidden="true">
        or
      </p>
      <Button className="button" isPending={passkey.pending} onPress={passkey.signInNow}>
        Sign in with a passkey
      </Button>
      {ceremony ? (
        <p role="status" className="hint">
          {ceremony}
        </p>
      ) : null}
      {error instanceof ApiCallError ? <FormAlert>{problemMessage(error.problem)}</FormAlert> : null}
      {error && !(error instanceof ApiCallError) && !(error instanceof PasskeyCeremonyError) ? <FormAlert>Something went wrong. Try again.</FormAlert> : null}
    </div>
  );
}
