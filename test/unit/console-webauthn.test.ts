/**
 * The console's browser half of passkeys without a browser: console/src/api/webauthn.ts over a fake
 * `PublicKeyCredential` and `navigator.credentials` (what it asks the browser, how it names a failed
 * ceremony), and console/src/api/passkey-sign-in.ts over fake calls (the autofill's request withdrawn
 * by the button and the password, renewed before its flow expires, only the newest answer counting).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUTOFILL_RENEWAL_MS, PasskeySignInRequests, type PasskeySignInCalls } from '../../console/src/api/passkey-sign-in.ts';
import { PasskeyCeremonyError, ceremonyFailure, createWebAuthn, type AuthenticationJSON, type WebAuthnBrowser } from '../../console/src/api/webauthn.ts';

const domError = (name: string) => Object.assign(new Error(name), { name });

const assertionJson = { id: 'Y3JlZA', rawId: 'Y3JlZA', type: 'public-key', clientExtensionResults: {}, response: {} } as unknown as AuthenticationJSON;

function fakeBrowser(overrides: { create?: () => Promise<unknown>; get?: () => Promise<unknown>; conditional?: () => Promise<boolean> } = {}) {
  const seen: { create: unknown[]; get: unknown[] } = { create: [], get: [] };
  const browser: WebAuthnBrowser = {
    PublicKeyCredential: {
      parseCreationOptionsFromJSON: (options) => ({ parsed: 'creation', options }),
      parseRequestOptionsFromJSON: (options) => ({ parsed: 'request', options }),
      ...(overrides.conditional ? { isConditionalMediationAvailable: overrides.conditional } : {}),
    },
    credentials: {
      create: (options) => {
        seen.create.push(options);
        return (overrides.create ?? (() => Promise.resolve({ toJSON: () => ({ id: 'new' }) })))() as never;
      },
      get: (options) => {
        seen.get.push(options);
        return (overrides.get ?? (() => Promise.resolve({ toJSON: () => assertionJson })))() as never;
      },
    },
  };
  return { browser, seen };
}

describe('webauthn (console/src/api/webauthn.ts)', () => {
  it("parses the API's JSON options with the browser's own parsers and answers the credential's toJSON()", async () => {
    const { browser, seen } = fakeBrowser();
    const webauthn = createWebAuthn(() => browser);
    expect(webauthn.supported()).toBe(true);
    expect(await webauthn.register({ challenge: 'abc' })).toEqual({ id: 'new' });
    expect(seen.create).toEqual([{ publicKey: { parsed: 'creation', options: { challenge: 'abc' } } }]);
    expect(await webauthn.authenticate({ challenge: 'def' })).toBe(assertionJson);
    expect(seen.get).toEqual([{ publicKey: { parsed: 'request', options: { challenge: 'def' } } }]);
  });

  it("asks with mediation 'conditional' and the signal only when told", async () => {
    const { browser, seen } = fakeBrowser();
    const signal = new AbortController().signal;
    await createWebAuthn(() => browser).authenticate({ challenge: 'x' }, { signal, conditional: true });
    expect(seen.get[0]).toEqual({ publicKey: { parsed: 'request', options: { challenge: 'x' } }, signal, mediation: 'conditional' });
  });

  it('names each DOMException of a ceremony, calmly for a cancelled one', async () => {
    expect(ceremonyFailure(domError('NotAllowedError'))).toBe('cancelled');
    expect(ceremonyFailure(domError('AbortError'))).toBe('aborted');
    expect(ceremonyFailure(domError('InvalidStateError'))).toBe('already-registered');
    expect(ceremonyFailure(domError('SecurityError'))).toBe('refused');
    expect(ceremonyFailure(domError('NotSupportedError'))).toBe('unsupported');
    expect(ceremonyFailure(new TypeError('bad options'))).toBe('failed');
    expect(ceremonyFailure('nonsense')).toBe('failed');

    const { browser } = fakeBrowser({ create: () => Promise.reject(domError('NotAllowedError')) });
    const failure = await createWebAuthn(() => browser).register({}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PasskeyCeremonyError);
    expect((failure as PasskeyCeremonyError).reason).toBe('cancelled');
    expect((failure as PasskeyCeremonyError).message).toMatch(/cancelled or timed out\. Nothing was saved/);
  });

  it('treats a ceremony that answers no credential as cancelled', async () => {
    const { browser } = fakeBrowser({ get: () => Promise.resolve(null) });
    await expect(createWebAuthn(() => browser).authenticate({})).rejects.toMatchObject({ reason: 'cancelled', ceremony: 'sign-in' });
  });

  it('reports no support without WebAuthn, or without the JSON parsers, and refuses to run a ceremony', async () => {
    const none = createWebAuthn(() => ({}));
    expect(none.supported()).toBe(false);
    expect(await none.conditionalMediationAvailable()).toBe(false);
    await expect(none.register({})).rejects.toMatchObject({ reason: 'unsupported' });
    await expect(none.authenticate({})).rejects.toMatchObject({ reason: 'unsupported' });
    const old = createWebAuthn(() => ({ PublicKeyCredential: {}, credentials: fakeBrowser().browser.credentials }));
    expect(old.supported()).toBe(false);
  });

  it('offers the autofill only when the browser says conditional mediation is available', async () => {
    expect(await createWebAuthn(() => fakeBrowser().browser).conditionalMediationAvailable()).toBe(false);
    expect(await createWebAuthn(() => fakeBrowser({ conditional: () => Promise.resolve(true) }).browser).conditionalMediationAvailable()).toBe(true);
    expect(await createWebAuthn(() => fakeBrowser({ conditional: () => Promise.reject(new Error('no')) }).browser).conditionalMediationAvailable()).toBe(false);
  });
});

/** Fake calls whose ceremonies wait until the test settles them (like a person picking a passkey). */
function fakeCalls() {
  let flows = 0;
  const ceremonies: { conditional: boolean; signal: AbortSignal; pick: () => void; fail: (error: unknown) => void }[] = [];
  const signIns: string[] = [];
  const calls: PasskeySignInCalls<string> = {
    options: () => Promise.resolve({ flowId: `flow${String(++flows)}`, publicKey: {} }),
    authenticate: (_publicKey, { signal, conditional }) =>
      new Promise((resolve, reject) => {
        signal.addEventListener('abort', () => {
          reject(domError('AbortError'));
        });
        ceremonies.push({ conditional, signal, pick: () => { resolve(assertionJson); }, fail: reject });
      }),
    signIn: (flowId) => {
      signIns.push(flowId);
      return flowId === 'refused' ? Promise.reject(new Error('passkey_rejected')) : Promise.resolve(`tokens of ${flowId}`);
    },
  };
  const events = { answered: vi.fn<(answer: string) => void>(), failed: vi.fn<(error: unknown) => void>(), pending: vi.fn<(running: boolean) => void>() };
  return { calls, events, ceremonies, signIns };
}

const settle = () => new Promise((done) => setTimeout(done, 0));

describe('passkey sign-in requests (console/src/api/passkey-sign-in.ts)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('signs in from the autofill when a passkey is picked', async () => {
    const { calls, events, ceremonies, signIns } = fakeCalls();
    const requests = new PasskeySignInRequests(calls, events);
    requests.startAutofill();
    await settle();
    expect(ceremonies.map((ceremony) => ceremony.conditional)).toEqual([true]);
    ceremonies[0]?.pick();
    await settle();
    expect(signIns).toEqual(['flow1']);
    expect(events.answered).toHaveBeenCalledWith('tokens of flow1');
    expect(events.failed).not.toHaveBeenCalled();
  });

  it("withdraws the autofill's request when the button is pressed, and only the button's answer counts", async () => {
    const { calls, events, ceremonies, signIns } = fakeCalls();
    const requests = new PasskeySignInRequests(calls, events);
    requests.startAutofill();
    await settle();
    requests.signInNow();
    await settle();
    expect(ceremonies[0]?.signal.aborted).toBe(true);
    expect(ceremonies[1]?.conditional).toBe(false);
    expect(events.pending).toHaveBeenLastCalledWith(true);
    ceremonies[1]?.pick();
    await settle();
    expect(signIns).toEqual(['flow2']);
    expect(events.answered).toHaveBeenCalledExactlyOnceWith('tokens of flow2');
    expect(events.pending).toHaveBeenLastCalledWith(false);
    // The withdrawn request's abort is no failure to show.
    expect(events.failed).not.toHaveBeenCalled();
  });

  it('withdraws the autofill when the password form is used, and offers it again after a failed button attempt', async () => {
    const { calls, events, ceremonies } = fakeCalls();
    const requests = new PasskeySignInRequests(calls, events);
    requests.startAutofill();
    await settle();
    requests.stop();
    expect(ceremonies[0]?.signal.aborted).toBe(true);

    requests.signInNow();
    await settle();
    const cancelled = domError('NotAllowedError');
    ceremonies[1]?.fail(cancelled);
    await settle();
    expect(events.failed).toHaveBeenCalledExactlyOnceWith(cancelled);
    expect(events.pending).toHaveBeenLastCalledWith(false);
    await settle();
    expect(ceremonies[2]?.conditional).toBe(true);

    requests.dispose();
    expect(ceremonies[2]?.signal.aborted).toBe(true);
  });

  it('shows a refusal of a picked passkey once, without asking again by itself; a failure before any pick is silent', async () => {
    const { calls, events, ceremonies } = fakeCalls();
    calls.options = () => Promise.resolve({ flowId: 'refused', publicKey: {} });
    const requests = new PasskeySignInRequests(calls, events);
    requests.startAutofill();
    await settle();
    ceremonies[0]?.pick();
    await settle();
    expect(events.failed).toHaveBeenCalledOnce();
    expect(ceremonies).toHaveLength(1);

    const quiet = fakeCalls();
    const other = new PasskeySignInRequests(quiet.calls, quiet.events);
    other.startAutofill();
    await settle();
    quiet.ceremonies[0]?.fail(domError('NotAllowedError'));
    await settle();
    expect(quiet.events.failed).not.toHaveBeenCalled();
  });

  it("renews the autofill's request before its flow expires (5 minutes), with a fresh flow", async () => {
    vi.useFakeTimers();
    const { calls, events, ceremonies, signIns } = fakeCalls();
    const requests = new PasskeySignInRequests(calls, events);
    expect(AUTOFILL_RENEWAL_MS).toBeLessThan(5 * 60 * 1000);
    requests.startAutofill();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(AUTOFILL_RENEWAL_MS);
    expect(ceremonies[0]?.signal.aborted).toBe(true);
    expect(ceremonies).toHaveLength(2);
    ceremonies[1]?.pick();
    await vi.advanceTimersByTimeAsync(0);
    expect(signIns).toEqual(['flow2']);
    requests.dispose();
  });
});
