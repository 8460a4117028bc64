/**
 * Port: business events counted for CloudWatch (sign-ins started, verified and failed, SMS sent,
 * lockouts). The domain counts where the event happens; the adapter (Powertools, EMF:
 * shared/adapters/powertools-metrics.ts) buffers the counts and the one handler wrapper publishes them
 * at the end of the invocation.
 *
 * The port takes a metric name and a number, nothing else: no dimension or metadata can carry an
 * email, a phone number, a user id or a secret (SPEC §6), and every metric keeps exactly the
 * dimensions the alarms read (`shared/metrics-names.ts`).
 */
import type { MetricName } from '../../metrics-names.ts';

export interface Metrics {
  /** Adds `value` (default 1) to the count of `name` for this invocation. */
  count(name: MetricName, value?: number): void;
}

/** Counts nothing: for domain services built without metrics (unit and integration tests). */
export const NO_METRICS: Metrics = {
  count: () => undefined,
};
