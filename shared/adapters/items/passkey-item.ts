/** Passkeys and passkey ceremonies (flows): keys, items written, items read (validated). */
import * as z from '#shared/schemas/zod.ts';
import { passkeyByOwnerGsi, passkeyFlowKey, passkeyKey, type ItemKey } from '../../data/keys.ts';
import type { Passkey, PasskeyFlow } from '../../domain/passkeys/model.ts';
import { parseItem } from '../dynamodb.ts';

export const PASSKEY_ENTITY = 'Passkey';
export const PASSKEY_FLOW_ENTITY = 'PasskeyFlow';

const PasskeyItem = z.object({
  id: z.string(),
  owner: z.string(),
  credentialId: z.string(),
  publicKey: z.string(),
  counter: z.number(),
  transports: z.array(z.string()),
  backupEligible: z.boolean(),
  backedUp: z.boolean(),
  aaguid: z.string(),
  rpId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.nullable(z.string()),
});

export function toPasskeyItem(passkey: Passkey): Record<string, unknown> & ItemKey {
  return { ...passkeyKey(passkey.id), ...passkeyByOwnerGsi(passkey.owner, passkey.createdAt, passkey.id), entity: PASSKEY_ENTITY, ...passkey };
}

export function fromPasskeyItem(item: Record<string, unknown>): Passkey {
  return parseItem(PASSKEY_ENTITY, PasskeyItem, item);
}

const PasskeyFlowItem = z.object({
  flowId: z.string(),
  purpose: z.enum(['register', 'authenticate']),
  owner: z.nullable(z.string()),
  challenge: z.string(),
  rpId: z.string(),
  origins: z.array(z.string()),
  system: z.nullable(z.string()),
  expiresAt: z.string(),
});

/** The flow, removed by TTL at `expiresAt` (late: reads check `expiresAt` themselves). */
export function toPasskeyFlowItem(flow: PasskeyFlow): Record<string, unknown> & ItemKey {
  return { ...passkeyFlowKey(flow.flowId), entity: PASSKEY_FLOW_ENTITY, ...flow, ttl: Math.ceil(Date.parse(flow.expiresAt) / 1000) };
}

export function fromPasskeyFlowItem(item: Record<string, unknown>): PasskeyFlow {
  return parseItem(PASSKEY_FLOW_ENTITY, PasskeyFlowItem, item);
}
