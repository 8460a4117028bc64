/**
 * Passkeys (WebAuthn credentials, SPEC §11): what is stored of one, who owns it, and the ports the
 * services use. A passkey's public key is not a secret (it verifies, it cannot sign), so it is stored
 * as the authenticator gave it; what protects a sign-in is the private key that never leaves the
 * authenticator and the single-use challenge.
 */
import { hashSecret } from '../kernel/secrets.ts';

/**
 * Who a passkey belongs to, as one string (the owner's list partition): an operator
 * (`operator:usr_…`) or an end user of one organization (`end-user:org_…:eu_…`). An end user's passkey
 * is bound to the organization: another tenant's user can never present it. (The table key built
 * from it lives in shared/data/keys.ts.)
 */
export type PasskeyOwner = string;
export const operatorOwner = (userId: string): PasskeyOwner => `operator:${userId}`;
export const endUserOwner = (organizationId: string, userId: string): PasskeyOwner => `end-user:${organizationId}:${userId}`;

/**
 * The passkey id the API shows and the table is keyed by: the SHA-256 (base64url, 43 characters) of
 * the credential id. Credential ids run up to 1023 bytes; the hash has one length, fits a path
 * parameter, and an assertion's `id` leads to it with no index.
 */
export const passkeyIdOf = (credentialId: string): string => hashSecret(credentialId);

/** A stored passkey. */
export interface Passkey {
  id: string;
  owner: PasskeyOwner;
  /** The credential id (base64url), as the authenticator names it in `allowCredentials`. */
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen (0 for authenticators that do not count, most synced passkeys). */
  counter: number;
  transports: string[];
  /** Multi-device (synced) credential: it may be backed up. */
  backupEligible: boolean;
  backedUp: boolean;
  /** The authenticator model's AAGUID (all zeros with attestation `none` on many platforms). */
  aaguid: string;
  /** The RP ID it was registered for: it works there only. */
  rpId: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A passkey as its owner sees it: never the public key or the counter. */
export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  backedUp: boolean;
  backupEligible: boolean;
  transports: string[];
  aaguid: string;
}

export const viewOf = (passkey: Passkey): PasskeyView => ({
  id: passkey.id,
  name: passkey.name,
  createdAt: passkey.createdAt,
  lastUsedAt: passkey.lastUsedAt,
  backedUp: passkey.backedUp,
  backupEligible: passkey.backupEligible,
  transports: passkey.transports,
  aaguid: passkey.aaguid,
});

/** What a ceremony is for. */
export type FlowPurpose = 'register' | 'authenticate';

/**
 * A ceremony in progress: the challenge sent in the options, for whom and where. The challenge is
 * stored as sent, not hashed: it is public from the moment the options leave (the page, the
 * authenticator and any proxy see it), it proves nothing on its own (only the authenticator's
 * signature over it does), and the verifier needs its value. What makes it safe is that it works
 * once and for 5 minutes: the flow is consumed by one conditional delete before the response is
 * checked.
 */
export interface PasskeyFlow {
  flowId: string;
  purpose: FlowPurpose;
  /** The person the ceremony is for; absent for a discoverable sign-in (the credential names them). */
  owner: PasskeyOwner | null;
  /** base64url of 32 random bytes. */
  challenge: string;
  rpId: string;
  origins: string[];
  /** Binds an end user's flow to the system it was started for. */
  system: string | null;
  expiresAt: string;
}

/** Where flows live: created once, consumed once (by a conditional delete: exactly one caller gets it). */
export interface PasskeyFlowStore {
  createFlow(flow: PasskeyFlow): Promise<void>;
  /** The flow, deleted, when it exists and has not expired at `at`; undefined otherwise (or when another caller took it). */
  consumeFlow(flowId: string, at: string): Promise<PasskeyFlow | undefined>;
}

/** Where passkeys live. */
export interface PasskeyStore {
  /** False when the credential is already registered (to anybody). */
  createPasskey(passkey: Passkey): Promise<boolean>;
  findPasskey(passkeyId: string): Promise<Passkey | undefined>;
  listPasskeysOf(owner: PasskeyOwner): Promise<Passkey[]>;
  /** False when it is not there (or not the owner's). */
  renamePasskey(passkeyId: string, owner: PasskeyOwner, name: string): Promise<Passkey | undefined>;
  deletePasskey(passkeyId: string, owner: PasskeyOwner): Promise<boolean>;
  /**
   * Records a sign-in: the new counter, backup state and time, conditional on the stored counter
   * being `previous` (so of two sign-ins that raced with the same counter, one is refused: a cloned
   * authenticator or a replay). False when refused.
   */
  recordUse(passkeyId: string, previous: number, next: { counter: number; backedUp: boolean; at: string }): Promise<boolean>;
}

/** At most this many passkeys per person: a list that stays one read and one screen. */
export const MAX_PASSKEYS_PER_OWNER = 20;

/** How long a ceremony may take, from options to response. */
export const FLOW_TTL_SECONDS = 300;
