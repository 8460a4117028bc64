/** An operator (profile with its password hash) and its email guard: keys, items written, items read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { userEmailKey, userKey, type ItemKey } from '../../data/keys.ts';
import type { Operator } from '../../domain/kernel/model.ts';
import { parseItem } from '../dynamodb.ts';

export { userEmailKey as operatorEmailKey, userKey as operatorKey };

const OperatorItem = z.object({ id: z.string(), email: z.string(), passwordHash: z.string(), createdAt: z.string() });
const OperatorEmailItem = z.object({ userId: z.string() });
/** What a member list reads of an operator (a projection of `id` and `email`). */
const OperatorContact = z.pick(OperatorItem, { id: true, email: true });

export function toOperatorItem(operator: Operator): Record<string, unknown> & ItemKey {
  return { ...userKey(operator.id), entity: 'Operator', ...operator };
}

export function fromOperatorItem(item: Record<string, unknown>): Operator {
  return parseItem('Operator', OperatorItem, item);
}

/** The guard that makes an operator's email unique across the deployment, and finds the operator at login. */
export function toOperatorEmailItem(operator: Operator): Record<string, unknown> & ItemKey {
  return { ...userEmailKey(operator.email), entity: 'OperatorEmail', userId: operator.id };
}

/** The operator id an email guard names. */
export function fromOperatorEmailItem(item: Record<string, unknown>): string {
  return parseItem('OperatorEmail', OperatorEmailItem, item).userId;
}

/** The `id, email` projection of an operator item. */
export function fromOperatorContact(item: Record<string, unknown>): { id: string; email: string } {
  return parseItem('Operator', OperatorContact, item);
}
