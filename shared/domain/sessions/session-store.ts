/** Port: refresh-token families (rotation, reuse detection, revocation). */
import type { RefreshFamily, RefreshTokenRecord } from '../kernel/model.ts';

export type RotateOutcome = 'rotated' | 'not_found' | 'reused' | 'expired' | 'revoked';

export interface SessionStore {
  createFamily(family: RefreshFamily, token: RefreshTokenRecord): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  findFamily(familyId: string): Promise<RefreshFamily | undefined>;
  /**
   * Marks the old token used, stores the new one and sets the family's `lastUsedAt` to `usedAt`, in
   * one transaction, if the old token is still live (active, unexpired) and its family neither
   * revoked nor past its `expiresAt`. `expired`: the token or the family ran out.
   */
  rotateRefreshToken(oldTokenHash: string, next: RefreshTokenRecord, nowSeconds: number, usedAt: string): Promise<RotateOutcome>;
  revokeFamily(familyId: string): Promise<void>;
  /** Every family of the operator that is not revoked and not past `expiresAt` at `nowSeconds`, oldest first. */
  listLiveFamilies(userId: string, nowSeconds: number): Promise<RefreshFamily[]>;
}
