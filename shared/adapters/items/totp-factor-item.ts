/**
 * The stored TOTP factor (one item per subject; see `operatorTotpKey` in data/keys.ts). It is never put
 * whole: every write is a conditional update in the repository (the condition is the rule), so this
 * module has its key and the validated read. Attributes the domain does not read (`failedCount`,
 * `failureWindowStart`, `pendingAt`) belong to the attempt budget's conditions.
 */
import * as z from '#shared/schemas/zod.ts';
import { endUserTotpKey, operatorTotpKey, type ItemKey } from '../../data/keys.ts';
import type { MfaSubject } from '../../domain/mfa/mfa-subject.ts';
import type { TotpFactorRecord } from '../../domain/mfa/totp-factors.ts';

export const TOTP_FACTOR_ENTITY = 'TotpFactor';

export const totpFactorKey = (subject: MfaSubject): ItemKey =>
  subject.kind === 'operator' ? operatorTotpKey(subject.userId) : endUserTotpKey(subject.organizationId, subject.userId);

/**
 * Absent attributes are the factor's starting values. `recoveryCodes` is a string set, absent once the
 * last code is spent (DynamoDB keeps no empty set).
 */
const TotpFactorItem = z.object({
  status: z.enum(['pending', 'enabled']),
  secret: z.optional(z.string()),
  pendingSecret: z.optional(z.string()),
  version: z._default(z.int(), 0),
  lastStep: z._default(z.int(), 0),
  lockedUntil: z._default(z.number(), 0),
  recoveryCodes: z.optional(z.set(z.string())),
  enabledAt: z.optional(z.string()),
});

/** The factor of a stored item; a malformed item is an error, never a guess. */
export function totpFactorFromItem(item: Record<string, unknown>): TotpFactorRecord {
  const parsed = TotpFactorItem.safeParse(item);
  if (!parsed.success) throw new Error(`Malformed ${TOTP_FACTOR_ENTITY} item`, { cause: parsed.error });
  const factor = parsed.data;
  return {
    status: factor.status,
    secret: factor.secret ?? null,
    pendingSecret: factor.pendingSecret ?? null,
    version: factor.version,
    lastStep: factor.lastStep,
    lockedUntil: factor.lockedUntil,
    recoveryCodeHashes: factor.recoveryCodes ? [...factor.recoveryCodes] : [],
    enabledAt: factor.enabledAt ?? null,
  };
}
