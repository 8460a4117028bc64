/**
 * The browser half of passkeys (SPEC §11, docs/passkeys.md "Add passkeys to your app"): the console's
 * only calls to `navigator.credentials`. The API answers options in the WebAuthn JSON forms, which the
 * browser's own `PublicKeyCredential.parse…OptionsFromJSON` reads; the credential's `toJSON()` goes
 * back as is. No CBOR, COSE or base64url by hand.
 *
 * `createWebAuthn(browser)` takes the few browser objects it uses as an argument, so a unit test hands
 * it a fake (test/unit/console-webauthn.test.ts); the console uses `webauthn`, over the real ones.
 */
import type { operations } from '../../../client/index.ts';

/** What `navigator.credentials.create()` answers, as `POST /v2/me/passkeys` takes it. */
export type RegistrationJSON = operations['registerMyPasskey']['requestBody']['content']['application/json']['response'];
/** What `navigator.credentials.get()` answers, as `POST /v2/auth/passkey` takes it. */
export type AuthenticationJSON = operations['passkeySignIn']['requestBody']['content']['application/json']['response'];

/** The options as the API sends them (`publicKey` of the options routes). */
type OptionsJSON = Record<string, unknown>;

/** A credential as the browser answers it (a `PublicKeyCredential`: its `toJSON()` is what the API takes). */
interface CredentialLike {
  toJSON?: () => unknown;
}

/**
 * The parts of the browser this module uses (each may be missing: older browsers, or no WebAuthn at
 * all). Written out rather than taken from the DOM types, so the unit tests (no DOM lib) compile it.
 */
export interface WebAuthnBrowser {
  PublicKeyCredential?: {
    parseCreationOptionsFromJSON?(options: OptionsJSON): unknown;
    parseRequestOptionsFromJSON?(options: OptionsJSON): unknown;
    isConditionalMediationAvailable?(): Promise<boolean>;
  };
  credentials?: {
    create(options: { publicKey: unknown }): Promise<CredentialLike | null>;
    get(options: { publicKey: unknown; signal?: AbortSignal; mediation?: 'conditional' }): Promise<CredentialLike | null>;
  };
}

/**
 * Why a ceremony ended without a credential, from the DOMException the browser threw:
 * - `cancelled`: NotAllowedError, the person closed the browser's dialog, or it timed out, or no
 *   passkey of this site was chosen (browsers do not say which, on purpose);
 * - `aborted`: the console withdrew the request itself (AbortController), nothing to show;
 * - `already-registered`: InvalidStateError at registration, this authenticator holds one of the
 *   excluded credentials (a passkey of this login already);
 * - `refused`: SecurityError, the browser will not use passkeys for this page's origin or RP ID;
 * - `unsupported`: no WebAuthn, or no JSON parsers in this browser;
 * - `failed`: anything else.
 */
export type CeremonyFailure = 'cancelled' | 'aborted' | 'already-registered' | 'refused' | 'unsupported' | 'failed';

export class PasskeyCeremonyError extends Error {
  constructor(
    readonly reason: CeremonyFailure,
    readonly ceremony: 'register' | 'sign-in',
    options?: { cause: unknown },
  ) {
    super(ceremonyMessage(reason, ceremony), options);
    this.name = 'PasskeyCeremonyError';
  }
}

/** The reason of a ceremony's failure, from what the browser threw. */
export function ceremonyFailure(error: unknown): CeremonyFailure {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  switch (name) {
    case 'NotAllowedError':
      return 'cancelled';
    case 'AbortError':
      return 'aborted';
    case 'InvalidStateError':
      return 'already-registered';
    case 'SecurityError':
      return 'refused';
    case 'NotSupportedError':
      return 'unsupported';
    default:
      return 'failed';
  }
}

/** The sentence the console shows for a failed ceremony: calm, and saying what to do next. */
export function ceremonyMessage(reason: CeremonyFailure, ceremony: 'register' | 'sign-in'): string {
  const register = ceremony === 'register';
  switch (reason) {
    case 'cancelled':
      return register
        ? 'The passkey was not created: the request was cancelled or timed out. Nothing was saved; you can try again.'
        : 'No passkey was used: the request was cancelled or timed out. Try again, or sign in with your password.';
    case 'aborted':
      return 'The passkey request was withdrawn.';
    case 'already-registered':
      return 'This device already holds a passkey for your login: it is in the list below.';
    case 'refused':
      return 'This browser refused to use a passkey on this site.';
    case 'unsupported':
      return 'This browser cannot use passkeys.';
    case 'failed':
      return register ? 'The passkey could not be created. Try again.' : 'The passkey could not be used. Try again, or sign in with your password.';
  }
}

export interface WebAuthn {
  /** True when this browser can run both ceremonies from the API's JSON options. */
  supported(): boolean;
  /** True when the browser offers passkeys in the e-mail field's autofill (conditional mediation). */
  conditionalMediationAvailable(): Promise<boolean>;
  /** `navigator.credentials.create()` from creation options; the new credential's `toJSON()`. */
  register(publicKey: OptionsJSON): Promise<RegistrationJSON>;
  /**
   * `navigator.credentials.get()` from request options; the assertion's `toJSON()`. `conditional`
   * asks with `mediation: 'conditional'` (the browser waits for the person to pick a passkey in the
   * autofill); `signal` withdraws the request.
   */
  authenticate(publicKey: OptionsJSON, options?: { signal?: AbortSignal; conditional?: boolean }): Promise<AuthenticationJSON>;
}

/** The browser's own objects, read when used (a test or an old browser may lack them). */
function currentBrowser(): WebAuthnBrowser {
  // Through `unknown`: the DOM types want the options' exact dictionaries, which the API's JSON is by contract.
  const scope = globalThis as unknown as { PublicKeyCredential?: WebAuthnBrowser['PublicKeyCredential']; navigator?: { credentials?: WebAuthnBrowser['credentials'] } };
  return { PublicKeyCredential: scope.PublicKeyCredential, credentials: scope.navigator?.credentials };
}

export function createWebAuthn(browser: () => WebAuthnBrowser = currentBrowser): WebAuthn {
  const parts = () => {
    const { PublicKeyCredential: credential, credentials } = browser();
    const parseCreation = credential?.parseCreationOptionsFromJSON?.bind(credential);
    const parseRequest = credential?.parseRequestOptionsFromJSON?.bind(credential);
    return parseCreation && parseRequest && credentials ? { parseCreation, parseRequest, credentials } : undefined;
  };

  /** The credential's `toJSON()`, or the ceremony's failure. */
  async function run<T>(ceremony: 'register' | 'sign-in', call: () => Promise<CredentialLike | null>): Promise<T> {
    let credential: CredentialLike | null;
    try {
      credential = await call();
    } catch (error) {
      throw new PasskeyCeremonyError(ceremonyFailure(error), ceremony, { cause: error });
    }
    if (typeof credential?.toJSON !== 'function') throw new PasskeyCeremonyError('cancelled', ceremony);
    return credential.toJSON() as T;
  }

  return {
    supported: () => parts() !== undefined,

    async conditionalMediationAvailable() {
      if (!parts()) return false;
      try {
        return (await browser().PublicKeyCredential?.isConditionalMediationAvailable?.()) === true;
      } catch {
        return false;
      }
    },

    register(publicKey) {
      const found = parts();
      if (!found) return Promise.reject(new PasskeyCeremonyError('unsupported', 'register'));
      return run<RegistrationJSON>('register', () =>
        found.credentials.create({ publicKey: found.parseCreation(publicKey) }),
      );
    },

    authenticate(publicKey, { signal, conditional = false } = {}) {
      const found = parts();
      if (!found) return Promise.reject(new PasskeyCeremonyError('unsupported', 'sign-in'));
      return run<AuthenticationJSON>('sign-in', () =>
        found.credentials.get({
          publicKey: found.parseRequest(publicKey),
          ...(signal ? { signal } : {}),
          ...(conditional ? { mediation: 'conditional' as const } : {}),
        }),
      );
    },
  };
}

/** The console's WebAuthn, over the browser's own objects. */
export const webauthn = createWebAuthn();
