/**
 * What every area's operations are told about the request they serve, and the paging shape every
 * listing shares. Nothing here knows HTTP: the handler wrapper fills these from the event.
 */
import type { Principal } from './principal.ts';

/** The request facts every operation needs: who calls (from the credential), and for the audit log. */
export interface RequestFacts {
  principal: Principal;
  requestId: string;
  sourceIp: string;
}

/** Where a request came from, as the audit log records it. */
export type RequestOrigin = Pick<RequestFacts, 'requestId' | 'sourceIp'>;

export interface PageRequest {
  limit: number;
  /** The decoded `cursor`: where the previous page stopped. */
  cursor?: Record<string, unknown>;
}

/** One page of a listing; `lastKey` is where the next one starts (undefined on the last page). */
export interface Page<T> {
  items: T[];
  lastKey: Record<string, unknown> | undefined;
}
