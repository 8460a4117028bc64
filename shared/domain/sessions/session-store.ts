/** Port: refresh-token families (rotation, reuse detection, the rotation grace, revocation). */
import type { RefreshFamily, RefreshTokenRecord } from '../kernel/model.ts';

export type RotateOutcome = 'rotated' | 'not_found' | 'reused' | 'expired' | 'revoked';

/**
 * `repeated`: the spent token was answered again. `already_repeated`: it had its one repeat already.
 * `moved_on`: the child of its rotation was used (or superseded) since. `outside_grace`: spent too
 * long ago. `revoked` / `expired`: the family.
 */
export type RepeatOutcome = 'repeated' | 'already_repeated' | 'moved_on' | 'outside_grace' | 'revoked' | 'expired';

export interface SessionStore {
  createFamily(family: RefreshFamily, token: RefreshTokenRecord): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  findFamily(familyId: string): Promise<RefreshFamily | undefined>;
  /**
   * Marks the old token used (when, and which token replaced it), stores the new one and sets the
   * family's `lastUsedAt` to `usedAt`, in one transaction, if the old token is still live (active,
   * unexpired) and its family neither revoked nor past its `expiresAt`. `expired`: the token or the
   * family ran out; `reused`: the old token was already spent (used or superseded).
   */
  rotateRefreshToken(oldTokenHash: string, next: RefreshTokenRecord, nowSeconds: number, usedAt: string): Promise<RotateOutcome>;
  /**
   * The rotation grace, in one transaction: the spent token `spentHash` is answered again with `next`
   * if it was spent after `spentAfter` (epoch seconds), was never repeated before and its successor
   * (`successorHash`) is still active; that successor is marked `superseded`, the spent token records
   * the repeat and points at `next`, the family's `lastUsedAt` moves, all only while the family is
   * neither revoked nor past its `expiresAt`. Of concurrent repeats exactly one commits.
   */
  repeatRefreshToken(
    spentHash: string,
    successorHash: string,
    next: RefreshTokenRecord,
    nowSeconds: number,
    spentAfter: number,
    usedAt: string,
  ): Promise<RepeatOutcome>;
  revokeFamily(familyId: string): Promise<void>;
  /** Every family of the operator that is not revoked and not past `expiresAt` at `nowSeconds`, oldest first. */
  listLiveFamilies(userId: string, nowSeconds: number): Promise<RefreshFamily[]>;
}
