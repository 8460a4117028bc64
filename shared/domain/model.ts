/** Entities of the operator side, as the domain sees them (no DynamoDB attributes). */

export type Role = 'owner' | 'manager' | 'viewer';

/** `all`, or the organizations and groups (whose organizations count at request time) a member reaches. */
export type Scope = 'all' | { organizations: string[]; groups: string[] };

export interface Operator {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
}

export interface Account {
  id: string;
  name: string;
  createdAt: string;
}

export interface Membership {
  accountId: string;
  userId: string;
  role: Role;
  scope: Scope;
  createdAt: string;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  familyId: string;
  userId: string;
  status: 'active' | 'used';
  /** Epoch seconds. */
  expiresAt: number;
}

export interface RefreshFamily {
  familyId: string;
  userId: string;
  /** Authentication methods of the login that started the family, carried into every access token. */
  amr: string[];
  revoked: boolean;
  /** Epoch seconds. */
  expiresAt: number;
}
