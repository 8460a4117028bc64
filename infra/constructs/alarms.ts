import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmRule,
  ComparisonOperator,
  CompositeAlarm,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRIC_NAMES, METRICS_NAMESPACE, metricDimensions } from '#shared/metrics-names.ts';

/** Thresholds of the alarms. Every count is over one five-minute period. */
export interface PortcullisAlarmOptions {
  /**
   * Percentage of API responses that are 5xx, in two of three five-minute periods (one bad period
   * is a blip; two are an incident).
   * @default 1
   */
  readonly serverErrorRatePercent?: number;
  /**
   * Unhandled errors of any one function (crash, timeout, out of memory: handlers answer every error
   * they expect with problem+json, so Lambda's `Errors` only counts what they did not expect).
   * @default 1
   */
  readonly functionErrors?: number;
  /** Throttled invocations of any one function (the account's concurrency is exhausted). @default 1 */
  readonly functionThrottles?: number;
  /** Read and write throttle events on the table and its indexes, summed. @default 1 */
  readonly tableThrottleEvents?: number;
  /**
   * The account's SMS spend this month, in USD (SNS `SMSMonthToDateSpentUSD`). Set it below the
   * account's SNS monthly spending limit, which is where SNS stops sending.
   * @default 50
   */
  readonly smsMonthToDateSpendUsd?: number;
  /** SMS sent straight to phone numbers (delivered + failed) by the account in five minutes. @default 100 */
  readonly smsPerFiveMinutes?: number;
  /** Lockouts (the `Lockouts` metric of this stage) in five minutes: a password-spraying signal. @default 10 */
  readonly lockoutsPerFiveMinutes?: number;
  /**
   * SMS refused in five minutes because the deployment's daily SMS cap is reached (the
   * `SmsDeploymentCapReached` metric of this stage): SMS sign-in is off for every tenant until
   * midnight UTC, an SMS pumping run or a cap set too low.
   * @default 1
   */
  readonly smsDeploymentCapRefusals?: number;
  /**
   * Create the two SMS alarms. SNS reports SMS for the whole account and region, not per sender, so
   * with several stages in one account only one of them needs these.
   * @default true
   */
  readonly smsAlarms?: boolean;
}

export interface PortcullisAlarmsProps extends PortcullisAlarmOptions {
  /** Stage whose custom metrics (dimension `stage`) the lockout alarm watches. */
  readonly stage: string;
  readonly api: IHttpApi;
  /** Every function of the service, routes and authorizers, by id. */
  readonly functions: ReadonlyMap<string, IFunction>;
  readonly table: ITableV2;
  /** Names of the table's global secondary indexes (they have throttle metrics of their own). */
  readonly indexNames: readonly string[];
  /** Where alarm and OK notifications go. @default - the alarms notify nobody */
  readonly topic?: ITopic;
}

/** The alarms by what they watch. */
export interface PortcullisAlarmSet {
  readonly serverErrorRate: Alarm;
  /** Composite over the per-group alarms: alarms when any function has errors. */
  readonly functionErrors: CompositeAlarm;
  /** Composite over the per-group alarms: alarms when any function is throttled. */
  readonly functionThrottles: CompositeAlarm;
  readonly tableThrottles: Alarm;
  readonly smsSpend?: Alarm;
  readonly smsVolume?: Alarm;
  readonly lockouts: Alarm;
  /** The deployment's daily SMS cap refused an SMS (this stage's own metric: always created). */
  readonly smsDeploymentCap: Alarm;
}

const PERIOD = Duration.minutes(5);

/**
 * An alarm can read at most 10 metrics (a hard CloudWatch limit), and there is one function per route.
 * The per-function metrics are therefore read in groups of this size, one alarm per group, combined by
 * a composite alarm, the one that notifies.
 */
export const FUNCTIONS_PER_ALARM = 10;

/**
 * CloudWatch alarms of one Portcullis deployment: API 5xx rate, Lambda errors and throttles, table
 * throttles, SMS spend and volume, the deployment's SMS cap, lockouts. Each alarm that notifies sends its ALARM and OK
 * transitions to `topic` when one is given.
 */
export class PortcullisAlarms extends Construct {
  readonly alarms: PortcullisAlarmSet;

  constructor(scope: Construct, id: string, private readonly props: PortcullisAlarmsProps) {
    super(scope, id);
    for (const [name, value] of Object.entries(props)) {
      if (typeof value === 'number' && !(Number.isFinite(value) && value > 0)) {
        throw new Error(`Alarm threshold ${name} must be a positive number, not ${String(value)}`);
      }
    }
    const smsAlarms = props.smsAlarms ?? true;
    this.alarms = {
      serverErrorRate: this.serverErrorRate(),
      functionErrors: this.perFunction('FunctionErrors', 'Errors', props.functionErrors ?? 1, (fn) => fn.metricErrors()),
      functionThrottles: this.perFunction('FunctionThrottles', 'Throttles', props.functionThrottles ?? 1, (fn) => fn.metricThrottles()),
      tableThrottles: this.tableThrottles(),
      smsSpend: smsAlarms ? this.smsSpend() : undefined,
      smsVolume: smsAlarms ? this.smsVolume() : undefined,
      lockouts: this.lockouts(),
      smsDeploymentCap: this.smsDeploymentCap(),
    };
  }

  private serverErrorRate(): Alarm {
    const { api } = this.props;
    const rate = new MathExpression({
      // No requests, no rate (rather than a division by zero).
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { errors: api.metricServerError({ period: PERIOD }), requests: api.metricCount({ period: PERIOD }) },
      period: PERIOD,
      label: '5xx responses (% of requests)',
    });
    return this.notify(
      new Alarm(this, 'ServerErrorRate', {
        alarmDescription: 'Portcullis: more than the allowed share of API responses are 5xx (server errors).',
        metric: rate,
        threshold: this.props.serverErrorRatePercent ?? 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * One alarm per group of functions on the largest value among them (`MAX`: "some function reached
   * the threshold", whatever the grouping), and a composite that alarms when any group does.
   */
  private perFunction(id: string, what: string, threshold: number, metricOf: (fn: IFunction) => IMetric): CompositeAlarm {
    const functions = [...this.props.functions.values()];
    if (functions.length === 0) throw new Error('Portcullis alarms need at least one function');
    const groups: Alarm[] = [];
    for (let start = 0; start < functions.length; start += FUNCTIONS_PER_ALARM) {
      const group = functions.slice(start, start + FUNCTIONS_PER_ALARM);
      const usingMetrics = Object.fromEntries(group.map((fn, index) => [`f${String(index)}`, metricOf(fn)]));
      const number = groups.length + 1;
      groups.push(
        new Alarm(this, `${id}${String(number)}`, {
          alarmDescription: `Portcullis: Lambda ${what}, functions group ${String(number)} (input of the ${id} composite alarm).`,
          metric: new MathExpression({
            expression: `MAX([${Object.keys(usingMetrics).join(', ')}])`,
            usingMetrics,
            period: PERIOD,
            label: `${what} of the busiest function in group ${String(number)}`,
          }),
          threshold,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    return this.notify(
      new CompositeAlarm(this, id, {
        alarmDescription: `Portcullis: a function reported Lambda ${what} (at least ${String(threshold)} in five minutes).`,
        alarmRule: AlarmRule.anyOf(...groups),
      }),
    );
  }

  private tableThrottles(): Alarm {
    const { table, indexNames } = this.props;
    const throttleEvents = (metricName: string, indexName?: string) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: table.tableName, ...(indexName ? { GlobalSecondaryIndexName: indexName } : {}) },
        statistic: 'Sum',
        period: PERIOD,
      });
    const usingMetrics: Record<string, IMetric> = { tableRead: throttleEvents('ReadThrottleEvents'), tableWrite: throttleEvents('WriteThrottleEvents') };
    indexNames.forEach((indexName, index) => {
      usingMetrics[`index${String(index)}Read`] = throttleEvents('ReadThrottleEvents', indexName);
      usingMetrics[`index${String(index)}Write`] = throttleEvents('WriteThrottleEvents', indexName);
    });
    if (Object.keys(usingMetrics).length > FUNCTIONS_PER_ALARM) throw new Error('Too many indexes for one table throttle alarm');
    return this.notify(
      new Alarm(this, 'TableThrottles', {
        alarmDescription: 'Portcullis: DynamoDB throttled reads or writes on the table or an index.',
        metric: new MathExpression({
          expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`,
          usingMetrics,
          period: PERIOD,
          label: 'Throttle events (table and indexes, reads and writes)',
        }),
        threshold: this.props.tableThrottleEvents ?? 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** SNS reports the spend for the account and region, about every few minutes once SMS are sent. */
  private smsSpend(): Alarm {
    return this.notify(
      new Alarm(this, 'SmsSpend', {
        alarmDescription:
          'Portcullis: the account SMS spend this month passed the threshold (SNS stops sending at the account spending limit).',
        metric: new Metric({ namespace: 'AWS/SNS', metricName: 'SMSMonthToDateSpentUSD', statistic: 'Maximum', period: PERIOD }),
        threshold: this.props.smsMonthToDateSpendUsd ?? 50,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No datapoint says nothing about the month's spend: keep the state it had.
        treatMissingData: TreatMissingData.IGNORE,
      }),
    );
  }

  /** SMS published straight to a phone number are reported under the dimension `PhoneNumber=PhoneNumberDirect`. */
  private smsVolume(): Alarm {
    const direct = (metricName: string) =>
      new Metric({ namespace: 'AWS/SNS', metricName, dimensionsMap: { PhoneNumber: 'PhoneNumberDirect' }, statistic: 'Sum', period: PERIOD });
    return this.notify(
      new Alarm(this, 'SmsVolume', {
        alarmDescription: 'Portcullis: unusually many SMS in five minutes (SMS pumping or a sign-in flood).',
        metric: new MathExpression({
          expression: 'SUM([delivered, failed])',
          usingMetrics: { delivered: direct('NumberOfNotificationsDelivered'), failed: direct('NumberOfNotificationsFailed') },
          period: PERIOD,
          label: 'SMS sent to phone numbers (delivered + failed)',
        }),
        threshold: this.props.smsPerFiveMinutes ?? 100,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  private lockouts(): Alarm {
    return this.notify(
      new Alarm(this, 'Lockouts', {
        alarmDescription: 'Portcullis: unusually many lockouts in five minutes (password spraying or a credential-stuffing run).',
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: METRIC_NAMES.lockouts,
          dimensionsMap: metricDimensions(this.props.stage),
          statistic: 'Sum',
          period: PERIOD,
        }),
        threshold: this.props.lockoutsPerFiveMinutes ?? 10,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Counted by the SMS limits (shared/domain/sign-in/sms-limits.ts) each time the deployment's day refuses an SMS. */
  private smsDeploymentCap(): Alarm {
    return this.notify(
      new Alarm(this, 'SmsDeploymentCap', {
        alarmDescription:
          "Portcullis: the deployment's daily SMS cap is reached; SMS sign-in is refused for every tenant until midnight UTC (SMS pumping, or a cap too low).",
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: METRIC_NAMES.smsDeploymentCapReached,
          dimensionsMap: metricDimensions(this.props.stage),
          statistic: 'Sum',
          period: PERIOD,
        }),
        threshold: this.props.smsDeploymentCapRefusals ?? 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  private notify<T extends Alarm | CompositeAlarm>(alarm: T): T {
    if (this.props.topic) {
      const action = new SnsAction(this.props.topic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    return alarm;
  }
}
