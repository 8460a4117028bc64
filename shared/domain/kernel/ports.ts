/**
 * Ports: what the domain needs from the outside world. Adapters in shared/adapters implement them
 * (DynamoDB, SNS, KMS) or stand in for them locally (outbox, key file).
 */
import type { Account, Membership, Operator, RefreshFamily, RefreshTokenRecord } from './model.ts';

export interface SmsMessage {
  /** E.164 destination. */
  to: string;
  body: string;
}

export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}

/** Envelope encryption root: KMS in the cloud, a key file locally. `purpose` binds a data key to its use. */
export interface MasterKey {
  generateDataKey(purpose: string): Promise<{ plaintext: Uint8Array; ciphertext: Uint8Array }>;
  decryptDataKey(ciphertext: Uint8Array, purpose: string): Promise<Uint8Array>;
}

/** Wrapped key material as stored in the table: nothing in it is usable without the master key. */
export interface StoredKeyring {
  purpose: string;
  kid: string;
  /** Public half (signing keys only), safe to publish. */
  publicJwk?: Record<string, string>;
  /** The data key, encrypted under the master key. */
  wrappedDataKey: string;
  /** Private material encrypted with the data key (AES-256-GCM), absent for pure data keys. */
  encryptedSecret?: string;
  createdAt: string;
}

export interface KeyringStore {
  findKeyring(purpose: string): Promise<StoredKeyring | undefined>;
  /** Stores the keyring unless one exists; answers false when another process created it first. */
  createKeyring(keyring: StoredKeyring): Promise<boolean>;
}

export interface OperatorStore {
  /** Creates operator, email guard, account and owner membership at once; `email_taken` on a duplicate. */
  createOperatorWithAccount(input: { operator: Operator; account: Account; membership: Membership }): Promise<void>;
  findOperatorByEmail(email: string): Promise<Operator | undefined>;
  findOperatorById(userId: string): Promise<Operator | undefined>;
  findMembership(accountId: string, userId: string): Promise<Membership | undefined>;
  listMembershipsOfUser(userId: string): Promise<Membership[]>;
  findAccountsByIds(accountIds: string[]): Promise<Account[]>;
}

export type RotateOutcome = 'rotated' | 'not_found' | 'reused' | 'expired' | 'revoked';

export interface SessionStore {
  createFamily(family: RefreshFamily, token: RefreshTokenRecord): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  findFamily(familyId: string): Promise<RefreshFamily | undefined>;
  /** Marks the old token used and stores the new one in one transaction, if the old one is still live. */
  rotateRefreshToken(oldTokenHash: string, next: RefreshTokenRecord, nowSeconds: number): Promise<RotateOutcome>;
  revokeFamily(familyId: string): Promise<void>;
}

export interface LoginAttempts {
  /** Epoch milliseconds of recorded attempts (stale ones included until pruned). */
  attempts: number[];
  version: number;
}

export interface LoginThrottleStore {
  /** Atomically appends an attempt unless `max` are already recorded; false when full. */
  appendLoginAttempt(email: string, at: number, max: number, expiresAt: number): Promise<boolean>;
  findLoginAttempts(email: string): Promise<LoginAttempts | undefined>;
  /** Replaces the attempts if nobody wrote since `expectedVersion`; false on a lost race. */
  replaceLoginAttempts(email: string, attempts: number[], expectedVersion: number, expiresAt: number): Promise<boolean>;
  clearLoginAttempts(email: string): Promise<void>;
  /** True exactly once per lock of the email (until `lockedUntil`, epoch ms): the lockout is counted once. */
  noticeLoginLock(email: string, lockedUntil: number, now: number): Promise<boolean>;
}
