/**
 * The metrics port on Powertools for AWS Lambda: counts are buffered in the process and written to
 * stdout as one CloudWatch Embedded Metric Format (EMF) line per invocation by `flush()`, which the
 * handler wrapper calls after every request (shared/http/handler.ts). Lambda ships stdout to CloudWatch
 * Logs, which extracts the metrics: no PutMetricData call, no IAM permission, no latency.
 *
 * Namespace, service and the `stage` dimension come from shared/metrics-names.ts, the same constants
 * the alarms are built from. `POWERTOOLS_METRICS_DISABLED=true` (set by the local server, see
 * local/environment.ts) keeps counting but writes nothing.
 */
import { Metrics as PowertoolsMetricsClient, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../domain/kernel/metrics.ts';
import { METRIC_DIMENSIONS, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../metrics-names.ts';

export interface PowertoolsMetricsOptions {
  /** The deployment stage, the value of the `stage` dimension. */
  stage: string;
}

export class PowertoolsMetrics implements Metrics {
  private readonly client: PowertoolsMetricsClient;

  constructor(options: PowertoolsMetricsOptions) {
    // Default dimensions survive each flush; Powertools adds `service` (from serviceName) to them.
    this.client = new PowertoolsMetricsClient({
      namespace: METRICS_NAMESPACE,
      serviceName: METRICS_SERVICE,
      defaultDimensions: { [METRIC_DIMENSIONS.stage]: options.stage },
    });
  }

  count(name: MetricName, value = 1): void {
    this.client.addMetric(name, MetricUnit.Count, value);
  }

  /**
   * Writes what was counted since the last flush as one EMF line. Nothing is written when nothing was
   * counted: most routes count nothing, and Powertools would warn on every empty flush.
   */
  flush(): void {
    if (this.client.hasStoredMetrics()) this.client.publishStoredMetrics();
  }
}
