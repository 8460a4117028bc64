/**
 * An address SES reported as undeliverable (`emailSuppressionKey`, one item per lower-cased address):
 * why (a permanent bounce or a complaint) and since when. Written by the e-mail feedback function
 * only; read before a send (`SuppressingEmailSender`) and in the sign-in's batched reads. No TTL: an
 * address stays suppressed until an operator deletes the item (docs/operations.md).
 */
import * as z from '#shared/schemas/zod.ts';
import { emailSuppressionKey, type ItemKey } from '../../data/keys.ts';
import type { UndeliverableReason } from '../../domain/platform/email.ts';
import { parseItem } from '../dynamodb.ts';

export const EMAIL_SUPPRESSION_ENTITY = 'EmailSuppression';

/** The key of an address's suppression, whatever its case (the port compares addresses lower-cased). */
export const emailSuppressionItemKey = (email: string): ItemKey => emailSuppressionKey(email.toLowerCase());

const EmailSuppressionItem = z.object({
  reason: z.enum(['bounce', 'complaint']),
  since: z.string(),
});

export interface EmailSuppression {
  reason: UndeliverableReason;
  /** When SES reported it (ISO 8601): the first report's, later ones leave it. */
  since: string;
}

export function toEmailSuppressionItem(email: string, suppression: EmailSuppression): Record<string, unknown> & ItemKey {
  return { ...emailSuppressionItemKey(email), entity: EMAIL_SUPPRESSION_ENTITY, reason: suppression.reason, since: suppression.since };
}

export function fromEmailSuppressionItem(item: Record<string, unknown>): EmailSuppression {
  return parseItem(EMAIL_SUPPRESSION_ENTITY, EmailSuppressionItem, item);
}
