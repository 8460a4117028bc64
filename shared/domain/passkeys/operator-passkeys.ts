/**
 * Operators' passkeys (SPEC §11): register, list, rename, remove, and sign in without a password.
 * A passkey sign-in starts its session where every operator session starts, `OperatorSessions.admit`
 * (the session gate): a user-verified passkey shows `mfa` and opens it alone; one without user
 * verification is one factor, and the gate then asks the TOTP step like after a password.
 */
import { AuthError, ConflictError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import { newId } from '../kernel/secrets.ts';
import type { OperatorStore } from '../sessions/operator-store.ts';
import type { LoginFacts, LoginResult } from '../sessions/operator-sessions.ts';
import type { SecurityNotices } from '../platform/security-notices.ts';
import {
  creationOptions,
  newChallenge,
  passkeyAmr,
  passkeyRejected,
  requestOptions,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type RelyingParty,
  type VerifierLoader,
} from './options.ts';
import {
  FLOW_TTL_SECONDS,
  MAX_PASSKEYS_PER_OWNER,
  operatorOwner,
  passkeyIdOf,
  viewOf,
  type FlowPurpose,
  type Passkey,
  type PasskeyFlow,
  type PasskeyFlowStore,
  type PasskeyStore,
  type PasskeyView,
} from './model.ts';

/** The session gate, as a passkey sign-in uses it (`OperatorSessions.admit`). */
export interface SessionAdmission {
  admit(userId: string, amr: string[], facts?: LoginFacts): Promise<LoginResult>;
}

/** The proof a stolen access token alone cannot give (a TOTP code or the password): `OperatorMfa.checkProof`. */
export interface PresenceProof {
  checkProof(userId: string, proof: { code?: string; password?: string }, facts: LoginFacts): Promise<void>;
}

/** Passkey events in the audit log of every account of the operator. */
export interface PasskeyEvents {
  record(userId: string, type: string, details: Record<string, unknown>, facts: LoginFacts): Promise<void>;
}

export interface CeremonyStart<T> {
  flowId: string;
  publicKey: T;
}

/** Shared by operators and end users: start a flow, and take it back once. */
export class PasskeyFlows {
  constructor(
    private readonly flows: PasskeyFlowStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(purpose: FlowPurpose, rp: RelyingParty, owner: string | null, system: string | null = null): Promise<PasskeyFlow> {
    const flow: PasskeyFlow = {
      flowId: newId('pkf'),
      purpose,
      owner,
      challenge: newChallenge(),
      rpId: rp.rpId,
      origins: rp.origins,
      system,
      expiresAt: new Date(this.now().getTime() + FLOW_TTL_SECONDS * 1000).toISOString(),
    };
    await this.flows.createFlow(flow);
    return flow;
  }

  /**
   * Consumes the flow before the response is checked, so a flow is spent by its first use, right or
   * wrong, and of concurrent completions exactly one gets it. Unknown, used, expired, or of another
   * purpose or person: `invalid_passkey_flow`.
   */
  async take(flowId: string, purpose: FlowPurpose, owner: string | null): Promise<PasskeyFlow> {
    const flow = await this.flows.consumeFlow(flowId, this.now().toISOString());
    if (!flow || flow.purpose !== purpose || flow.owner !== owner) throw invalidFlow();
    return flow;
  }
}

/**
 * Verifies a registration on its (already consumed) flow and stores the passkey for `owner`, under
 * the per-person limit: shared by operators and end users.
 */
export async function storeRegistration(
  store: PasskeyStore,
  flow: PasskeyFlow,
  owner: string,
  input: { name: string; response: RegistrationResponseJSON },
  now: Date,
  verifier: VerifierLoader,
): Promise<Passkey> {
  const credential = await (await verifier()).verifyRegistration(input.response, flow);
  if ((await store.listPasskeysOf(owner)).length >= MAX_PASSKEYS_PER_OWNER) throw passkeyLimit();
  const passkey: Passkey = { ...credential, id: passkeyIdOf(credential.credentialId), owner, name: input.name, createdAt: now.toISOString(), lastUsedAt: null };
  if (!(await store.createPasskey(passkey))) throw new ConflictError('passkey_exists', 'This passkey is already registered.');
  return passkey;
}

export const invalidFlow = (): AuthError => new AuthError('invalid_passkey_flow', 'The passkey ceremony is unknown, expired or already used; start again.');

/** Operators' passkeys. */
export class OperatorPasskeys {
  private readonly flows: PasskeyFlows;

  constructor(
    private readonly store: PasskeyStore,
    flowStore: PasskeyFlowStore,
    private readonly operators: OperatorStore,
    private readonly sessions: SessionAdmission,
    private readonly presence: PresenceProof,
    private readonly rp: RelyingParty,
    /** The response checks (ceremonies.ts), loaded on first use; `noVerifier` in the functions that check none. */
    private readonly verifier: VerifierLoader,
    private readonly notices?: SecurityNotices,
    private readonly events?: PasskeyEvents,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.flows = new PasskeyFlows(flowStore, now);
  }

  /** Creation options for the signed-in operator: discoverable (resident key required), their passkeys excluded. */
  async registrationOptions(userId: string): Promise<CeremonyStart<PublicKeyCredentialCreationOptionsJSON>> {
    const operator = await this.operators.findOperatorById(userId);
    if (!operator) throw new NotFoundError('User');
    const owner = operatorOwner(userId);
    const existing = await this.store.listPasskeysOf(owner);
    if (existing.length >= MAX_PASSKEYS_PER_OWNER) throw passkeyLimit();
    const flow = await this.flows.start('register', this.rp, owner);
    const publicKey = await creationOptions(this.rp, { handle: userId, name: operator.email, displayName: operator.email }, existing, flow.challenge, 'required');
    return { flowId: flow.flowId, publicKey };
  }

  /** Verifies the new credential and stores it; a notice goes to the operator's address. */
  async register(userId: string, input: { flowId: string; name: string; response: RegistrationResponseJSON }, facts: LoginFacts): Promise<PasskeyView> {
    const owner = operatorOwner(userId);
    const flow = await this.flows.take(input.flowId, 'register', owner);
    const passkey = await storeRegistration(this.store, flow, owner, input, this.now(), this.verifier);
    await this.events?.record(userId, 'passkey.added', { passkeyId: passkey.id, name: passkey.name }, facts);
    const operator = await this.operators.findOperatorById(userId);
    if (operator) await this.notices?.send(operator.email, 'passkeyAdded', { at: passkey.createdAt, name: passkey.name });
    return viewOf(passkey);
  }

  async list(userId: string): Promise<PasskeyView[]> {
    return (await this.store.listPasskeysOf(operatorOwner(userId))).map(viewOf);
  }

  async rename(userId: string, passkeyId: string, name: string): Promise<PasskeyView> {
    const renamed = await this.store.renamePasskey(passkeyId, operatorOwner(userId), name);
    if (!renamed) throw new NotFoundError('Passkey');
    return viewOf(renamed);
  }

  /**
   * Removes a passkey after a TOTP code or the password: a stolen access token alone must not remove
   * the person's strong factor. Another person's passkey and an unknown id are the same 404, asked
   * after the proof so the id says nothing to someone who cannot give it.
   */
  async remove(userId: string, passkeyId: string, proof: { code?: string; password?: string }, facts: LoginFacts): Promise<void> {
    if (proof.code === undefined && proof.password === undefined) {
      throw new ValidationError([{ field: 'body', message: 'send either `code` or `password`' }]);
    }
    await this.presence.checkProof(userId, proof, facts);
    if (!(await this.store.deletePasskey(passkeyId, operatorOwner(userId)))) throw new NotFoundError('Passkey');
    await this.events?.record(userId, 'passkey.removed', { passkeyId }, facts);
  }

  /** Request options for a passwordless sign-in: discoverable credentials, so `allowCredentials` is empty. */
  async signInOptions(): Promise<CeremonyStart<PublicKeyCredentialRequestOptionsJSON>> {
    const flow = await this.flows.start('authenticate', this.rp, null);
    return { flowId: flow.flowId, publicKey: await requestOptions(this.rp, [], flow.challenge) };
  }

  /**
   * Completes a passwordless sign-in: the flow is spent, the credential must be an operator's passkey
   * for this RP, the assertion must verify, and the counter is recorded by a conditional write. Then
   * the gate decides, with the passkey's `amr`.
   */
  async signIn(input: { flowId: string; response: AuthenticationResponseJSON }, facts: LoginFacts): Promise<LoginResult> {
    const flow = await this.flows.take(input.flowId, 'authenticate', null);
    const passkey = await this.store.findPasskey(passkeyIdOf(input.response.id));
    if (!passkey?.owner.startsWith(operatorOwner(''))) throw passkeyRejected();
    const userId = passkey.owner.slice(operatorOwner('').length);
    let verified;
    try {
      verified = await (await this.verifier()).verifyAssertion(input.response, flow, passkey);
    } catch (error) {
      await this.events?.record(userId, 'login.failed', { reason: 'passkey_rejected', passkeyId: passkey.id }, facts);
      throw error;
    }
    const at = this.now().toISOString();
    if (!(await this.store.recordUse(passkey.id, passkey.counter, { counter: verified.newCounter, backedUp: verified.backedUp, at }))) {
      await this.events?.record(userId, 'login.failed', { reason: 'passkey_counter', passkeyId: passkey.id }, facts);
      throw passkeyRejected();
    }
    return this.sessions.admit(userId, passkeyAmr(verified.userVerified), facts);
  }
}

export const passkeyLimit = (): ConflictError => new ConflictError('passkey_limit', `At most ${String(MAX_PASSKEYS_PER_OWNER)} passkeys per person; remove one first.`);
