/**
 * The custom CloudWatch metrics of Portcullis: the one place their namespace, names and dimensions are
 * written, so the code that emits them (Powertools metrics, EMF) and the alarms the CDK construct puts
 * on them (`infra/constructs/alarms.ts`) cannot disagree.
 *
 * Emitting: the domain counts through the `Metrics` port (`shared/domain/kernel/metrics.ts`), which takes a
 * name from `METRIC_NAMES` and a number, nothing else; the Powertools adapter
 * (`shared/adapters/powertools-metrics.ts`) creates `new Metrics({ namespace: METRICS_NAMESPACE,
 * serviceName: METRICS_SERVICE, defaultDimensions: { stage } })` with the function's `STAGE`, and the
 * handler wrapper publishes one EMF line per invocation. CloudWatch matches a metric on its exact set
 * of dimensions, so every metric here carries exactly `metricDimensions(stage)`: Powertools' own
 * `service` dimension plus `stage`. No other dimension (no organization, no user, no failure reason):
 * the alarms could not see the metric any more, per-tenant dimensions would multiply the metric bill,
 * and the reason of each failure is in the audit log already.
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
  /**
   * `POST /v2/user/authenticate` answered 202: a PIN or link sent, a TOTP code asked for, or a decoy
   * for an unknown, disabled or unauthorized user (no SMS: compare with `SmsSent`).
   */
  signInsStarted: 'SignInsStarted',
  /** A sign-in completed: its last factor satisfied and a token issued (a step-up answer is not counted). */
  signInsVerified: 'SignInsVerified',
  /** `POST /v2/system/authenticate/user` answered 401 (`invalid_credentials`, `expired`, `too_many_attempts`). */
  signInsFailed: 'SignInsFailed',
  /** An SMS (PIN or link, first factor or step-up) accepted by the SMS provider. */
  smsSent: 'SmsSent',
  /**
   * A lock took effect: a challenge spent its `maxAttempts`, an end user reached 10 wrong codes in 15
   * minutes, or a TOTP factor (operator or end user) 5 failures; and every password attempt the
   * per-email login throttle refuses (it keeps no lock state, so its refusals are what can be counted).
   */
  lockouts: 'Lockouts',
  /**
   * An SMS refused because the deployment's daily SMS cap (all accounts together) is reached: SMS
   * sign-in is off for every tenant until midnight UTC. Its alarm is `SmsDeploymentCap`.
   */
  smsDeploymentCapReached: 'SmsDeploymentCapReached',
  /**
   * An address marked undeliverable from an SES permanent bounce or complaint (the e-mail feedback
   * function, one per address and report): nothing more is sent to it. A rise means a list of bad
   * addresses, or mail reported as spam.
   */
  emailSuppressed: 'EmailSuppressed',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** The exact dimensions of every Portcullis metric in a stage. */
export function metricDimensions(stage: string): Record<(typeof METRIC_DIMENSIONS)[keyof typeof METRIC_DIMENSIONS], string> {
  return { [METRIC_DIMENSIONS.service]: METRICS_SERVICE, [METRIC_DIMENSIONS.stage]: stage };
}
