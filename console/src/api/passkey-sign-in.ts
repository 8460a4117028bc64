/**
 * The requests behind **Sign in with a passkey** (SPEC §11): options → `navigator.credentials.get()`
 * → the assertion posted. Two ways in, never both at once (a browser holds one WebAuthn request):
 * - the autofill (conditional mediation): started when the page opens, the browser offers the site's
 *   passkeys in the e-mail field's suggestions and the request waits for the person to pick one. Its
 *   flow lives 5 minutes, so an untouched request is renewed before its challenge expires;
 * - the button: withdraws the autofill's request and asks the browser's own dialog at once.
 * The password form withdraws the autofill's request too (`stop`); a failed password or button sign-in
 * offers it again (`startAutofill`), once per attempt. Every request has its AbortController; only the newest one's
 * answer counts. The calls are injected, so a unit test drives this without a browser.
 */
import type { AuthenticationJSON } from './webauthn.ts';

export interface PasskeySignInCalls<Answer> {
  /** `POST /v2/auth/passkey/options`. */
  options(): Promise<{ flowId: string; publicKey: Record<string, unknown> }>;
  /** The browser's ceremony (api/webauthn.ts `authenticate`). */
  authenticate(publicKey: Record<string, unknown>, options: { signal: AbortSignal; conditional: boolean }): Promise<AuthenticationJSON>;
  /** `POST /v2/auth/passkey`. */
  signIn(flowId: string, response: AuthenticationJSON): Promise<Answer>;
}

export interface PasskeySignInEvents<Answer> {
  /** What the API answered: tokens, or the next step (`mfaRequired`, `mfaEnrollmentRequired`). */
  answered(answer: Answer): void;
  /** A failure to show: the ceremony's (`PasskeyCeremonyError`) or the API's (`ApiCallError`). */
  failed(error: unknown): void;
  /** The button's request is running (true) or over (false). */
  pending(running: boolean): void;
}

/** A flow lives 5 minutes (the API's TTL): the autofill's request is renewed a minute before. */
export const AUTOFILL_RENEWAL_MS = 4 * 60 * 1000;

export class PasskeySignInRequests<Answer> {
  private current: AbortController | undefined;
  private autofill = false;

  constructor(
    private readonly calls: PasskeySignInCalls<Answer>,
    private readonly events: PasskeySignInEvents<Answer>,
    private readonly renewalMs = AUTOFILL_RENEWAL_MS,
  ) {}

  /** Offers the site's passkeys in the autofill (the page knows conditional mediation is available). */
  startAutofill(): void {
    this.autofill = true;
    const controller = this.replace();
    const renewal = setTimeout(() => {
      if (this.current === controller) this.startAutofill();
    }, this.renewalMs);
    controller.signal.addEventListener('abort', () => {
      clearTimeout(renewal);
    });
    let chosen = false;
    this.run(controller, true, () => {
      chosen = true;
      clearTimeout(renewal);
    }).then(
      (answer) => {
        if (answer !== undefined) this.events.answered(answer);
      },
      (error: unknown) => {
        if (this.current !== controller || controller.signal.aborted) return;
        this.current = undefined;
        // A passkey was picked and refused (say, removed from the login): say so. A request that
        // failed before anything was picked is not the person's doing: no message. Neither is asked
        // again by itself: a browser that answers the autofill without a person (an automated one)
        // would loop against the API; the button, the password and a reload remain.
        if (chosen) this.events.failed(error);
      },
    );
  }

  /** **Sign in with a passkey**: the browser's dialog now, the autofill's request withdrawn. */
  signInNow(): void {
    const controller = this.replace();
    this.events.pending(true);
    // The button is disabled while its request runs, so no newer one can start meanwhile: whatever
    // ends this one ends the pending state.
    this.run(controller, false).then(
      (answer) => {
        this.events.pending(false);
        if (answer !== undefined) this.events.answered(answer);
      },
      (error: unknown) => {
        this.events.pending(false);
        if (this.current !== controller) return;
        this.current = undefined;
        this.events.failed(error);
        if (this.autofill) this.startAutofill();
      },
    );
  }

  /** Withdraws whatever request is running (the password form is used, or the page closes). */
  stop(): void {
    this.current?.abort();
    this.current = undefined;
  }

  /** The page is gone: withdraw, and never offer the autofill again. */
  dispose(): void {
    this.autofill = false;
    this.stop();
  }

  private replace(): AbortController {
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    return controller;
  }

  /** The three calls; `undefined` when the request was withdrawn or replaced meanwhile. */
  private async run(controller: AbortController, conditional: boolean, onChosen?: () => void): Promise<Answer | undefined> {
    const { signal } = controller;
    const { flowId, publicKey } = await this.calls.options();
    if (signal.aborted || this.current !== controller) return undefined;
    const response = await this.calls.authenticate(publicKey, { signal, conditional });
    onChosen?.();
    if (this.current !== controller) return undefined;
    const answer = await this.calls.signIn(flowId, response);
    if (this.current !== controller) return undefined;
    this.current = undefined;
    return answer;
  }
}
