/**
 * The custom CloudWatch metrics of Portcullis: the one place their namespace, names and dimensions are
 * written, so the code that emits them (Powertools metrics, EMF) and the alarms the CDK construct puts
 * on them (`infra/constructs/alarms.ts`) cannot disagree.
 *
 * Emitting: `new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE })` (the deployed
 * functions also get both as `POWERTOOLS_METRICS_NAMESPACE` / `POWERTOOLS_SERVICE_NAME`), then
 * `metrics.addDimension(METRIC_DIMENSIONS.stage, config().stage)` and
 * `metrics.addMetric(METRIC_NAMES.lockouts, MetricUnit.Count, 1)`. CloudWatch matches a metric on its
 * exact set of dimensions, so every metric here carries exactly `metricDimensions(stage)`: Powertools'
 * own `service` dimension plus `stage`. No other dimension (no organization, no user): the alarms
 * could not see the metric any more, and per-tenant dimensions would multiply the metric bill.
 */

/** CloudWatch namespace of every Portcullis metric. */
export const METRICS_NAMESPACE = 'Portcullis';

/** Powertools' service name: the value of the `service` dimension it adds to every metric. */
export const METRICS_SERVICE = 'portcullis';

/** Dimension names. */
export const METRIC_DIMENSIONS = {
  /** Added by Powertools from `serviceName` / `POWERTOOLS_SERVICE_NAME`. */
  service: 'service',
  /** The deployment stage (`STAGE`), so that dev traffic never trips production alarms. */
  stage: 'stage',
} as const;

/** Metric names; each is a count (unit `Count`, one per event). */
export const METRIC_NAMES = {
  /** A sign-in was started (PIN sent or magic link issued). */
  signInsStarted: 'SignInsStarted',
  /** A sign-in was completed with a valid PIN, link or second factor. */
  signInsVerified: 'SignInsVerified',
  /** A sign-in verification was refused (wrong, expired or spent code). */
  signInsFailed: 'SignInsFailed',
  /** An SMS was handed to the SMS provider. */
  smsSent: 'SmsSent',
  /** An identity was locked out after too many failures. */
  lockouts: 'Lockouts',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** The exact dimensions of every Portcullis metric in a stage. */
export function metricDimensions(stage: string): Record<(typeof METRIC_DIMENSIONS)[keyof typeof METRIC_DIMENSIONS], string> {
  return { [METRIC_DIMENSIONS.service]: METRICS_SERVICE, [METRIC_DIMENSIONS.stage]: stage };
}
