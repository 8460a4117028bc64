import { App, CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it, vi } from 'vitest';
import type { IConstruct } from 'constructs';
import { FUNCTIONS_PER_ALARM, type PortcullisAlarmSet } from '#infra/constructs/alarms.ts';
import { Portcullis } from '#infra/portcullis.ts';
import { PowertoolsMetrics } from '#shared/adapters/powertools-metrics.ts';
import { loadConfig } from '#shared/config.ts';
import { SmsLimits, type DailyShardWrite } from '#shared/domain/sign-in/sms-limits.ts';
import { authorizers, jobs, manifest } from '#shared/http/manifest.ts';
import { METRIC_NAMES, METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/metrics-names.ts';
import {
  arnOf,
  cdkJsonContext,
  containersOf,
  logicalId,
  mergedTemplate,
  portcullisFunctions,
  resourcesOfType,
  stackTemplates,
  synthesize,
  TEST_EMAIL,
  type CfnResource,
} from './synth.ts';

interface MetricQuery {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] }; Period: number; Stat: string };
}

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';

const withTopic = synthesize({ stage: 'dev', createAlarmTopic: 'true' });
const { stack, template } = withTopic;
const alarms = stack.portcullis.alarms;
const topicRef = { Ref: logicalId(stack, stack.portcullis.node.findChild('AlarmTopic').node.findChild('Topic')) };

const alarmResource = (construct: Parameters<typeof logicalId>[1], synthesized = template, owner: Stack = stack): CfnResource => {
  const id = logicalId(owner, construct);
  const resource = synthesized.toJSON().Resources as Record<string, CfnResource>;
  const found = resource[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
};
const present = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error('missing');
  return value;
};
/** Every alarm that notifies (the construct's alarm set), present or not. */
const notifyingAlarms = (set: PortcullisAlarmSet) => Object.values(set) as (IConstruct | undefined)[];
const queriesOf = (alarm: CfnResource) => (alarm.Properties.Metrics ?? []) as MetricQuery[];
const expressionOf = (alarm: CfnResource) => queriesOf(alarm).find((query) => query.ReturnData !== false)?.Expression;
const metricStats = (alarm: CfnResource) => queriesOf(alarm).flatMap((query) => (query.MetricStat ? [query.MetricStat] : []));
const dimensionsOf = (stat: NonNullable<MetricQuery['MetricStat']>) =>
  Object.fromEntries((stat.Metric.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value]));

describe('alarms', () => {
  it('alarms on the API 5xx rate: 5xx / requests over five minutes, above 1 % in two of three periods', () => {
    const alarm = alarmResource(alarms.serverErrorRate);
    const apiRef = { Ref: logicalId(stack, stack.portcullis.api) };
    expect(alarm.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    expect(expressionOf(alarm)).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    const stats = Object.fromEntries(queriesOf(alarm).flatMap((query) => (query.MetricStat ? [[query.Id, query.MetricStat]] : [])));
    expect(stats.errors).toEqual({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: apiRef }] }, Period: 300, Stat: 'Sum' });
    expect(stats.requests).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: [{ Name: 'ApiId', Value: apiRef }] }, Period: 300 });
  });

  it.each([
    { name: 'errors', metric: 'Errors', composite: () => alarms.functionErrors },
    { name: 'throttles', metric: 'Throttles', composite: () => alarms.functionThrottles },
  ])('alarms on Lambda $name of every function, in groups of at most 10 metrics behind one composite alarm', ({ metric, composite }) => {
    const compositeResource = alarmResource(composite());
    const rule = JSON.stringify(compositeResource.Properties.AlarmRule);
    const groups = Object.entries(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter(([id]) => rule.includes(`"${id}"`));
    const functions = portcullisFunctions(template);
    expect(groups).toHaveLength(Math.ceil(functions.size / FUNCTIONS_PER_ALARM));
    expect(rule.match(/ALARM\(/g)).toHaveLength(groups.length);
    expect(rule).toMatch(/^\{"Fn::Join":\["",\["\(ALARM\(/);

    const watched: unknown[] = [];
    for (const [id, group] of groups) {
      const stats = metricStats(group);
      expect(stats.length, id).toBeLessThanOrEqual(FUNCTIONS_PER_ALARM);
      expect(expressionOf(group), id).toMatch(/^MAX\(\[f0(, f\d)*\]\)$/);
      expect(group.Properties, id).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
      // The composite notifies; its inputs stay quiet, or one incident would page twice.
      expect(group.Properties.AlarmActions, id).toBeUndefined();
      for (const stat of stats) {
        expect(stat).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', MetricName: metric }, Period: 300, Stat: 'Sum' });
        watched.push(dimensionsOf(stat).FunctionName);
      }
    }
    const everyFunction = [...functions.values()].map(({ logicalId: id }) => ({ Ref: id }));
    expect(watched).toHaveLength(everyFunction.length);
    expect(watched).toEqual(expect.arrayContaining(everyFunction));
    expect(compositeResource.Properties).toMatchObject({ AlarmActions: [topicRef], OKActions: [topicRef] });
  });

  it('alarms on read and write throttle events of the table and of gsi1', () => {
    const alarm = alarmResource(alarms.tableThrottles);
    const tableRef = { Ref: logicalId(stack, stack.portcullis.table) };
    expect(alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
    expect(expressionOf(alarm)).toMatch(/^SUM\(\[/);
    const watched = metricStats(alarm).map((stat) => ({ metric: stat.Metric.MetricName, ...dimensionsOf(stat) }));
    expect(watched).toEqual([
      { metric: 'ReadThrottleEvents', TableName: tableRef },
      { metric: 'WriteThrottleEvents', TableName: tableRef },
      { metric: 'ReadThrottleEvents', TableName: tableRef, GlobalSecondaryIndexName: 'gsi1' },
      { metric: 'WriteThrottleEvents', TableName: tableRef, GlobalSecondaryIndexName: 'gsi1' },
    ]);
    for (const stat of metricStats(alarm)) expect(stat).toMatchObject({ Metric: { Namespace: 'AWS/DynamoDB' }, Stat: 'Sum' });
  });

  it('alarms on the account SMS spend and on an SMS volume spike (SNS, direct-to-phone publishes)', () => {
    const spend = alarmResource(present(alarms.smsSpend));
    expect(spend.Properties).toMatchObject({
      Namespace: 'AWS/SNS',
      MetricName: 'SMSMonthToDateSpentUSD',
      Statistic: 'Maximum',
      Threshold: 50,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
    });
    expect(spend.Properties.Dimensions).toBeUndefined();

    const volume = alarmResource(present(alarms.smsVolume));
    expect(volume.Properties).toMatchObject({ Threshold: 100, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
    expect(expressionOf(volume)).toBe('SUM([delivered, failed])');
    expect(metricStats(volume)).toEqual(
      ['NumberOfNotificationsDelivered', 'NumberOfNotificationsFailed'].map((name) => ({
        Metric: { Namespace: 'AWS/SNS', MetricName: name, Dimensions: [{ Name: 'PhoneNumber', Value: 'PhoneNumberDirect' }] },
        Period: 300,
        Stat: 'Sum',
      })),
    );
  });

  it('alarms on a lockout spike from the Portcullis custom metric of this stage, as the functions emit it', () => {
    const alarm = alarmResource(alarms.lockouts);
    expect(alarm.Properties).toMatchObject({
      Namespace: 'Portcullis',
      MetricName: 'Lockouts',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm.Properties.Dimensions).toEqual([
      { Name: 'service', Value: 'portcullis' },
      { Name: 'stage', Value: 'dev' },
    ]);
    // Powertools takes the namespace and the `service` dimension from these variables.
    for (const { resource } of portcullisFunctions(template).values()) {
      expect(resource.Properties.Environment).toMatchObject({
        Variables: { POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME: METRICS_SERVICE, STAGE: 'dev' },
      });
    }
    expect(METRIC_NAMES).toEqual({
      signInsStarted: 'SignInsStarted',
      signInsVerified: 'SignInsVerified',
      signInsFailed: 'SignInsFailed',
      smsSent: 'SmsSent',
      lockouts: 'Lockouts',
      smsDeploymentCapReached: 'SmsDeploymentCapReached',
      emailSuppressed: 'EmailSuppressed',
    });
  });

  it("alarms as soon as the deployment's daily SMS cap refuses an SMS, on the metric the SMS limits count", async () => {
    const alarm = alarmResource(alarms.smsDeploymentCap);
    expect(alarm.Properties).toMatchObject({
      Namespace: 'Portcullis',
      MetricName: 'SmsDeploymentCapReached',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
    });
    expect(alarm.Properties.Dimensions).toEqual([
      { Name: 'service', Value: 'portcullis' },
      { Name: 'stage', Value: 'dev' },
    ]);
    // What counts it: the SMS limits, when the deployment's count refuses.
    const counted: string[] = [];
    const full = {
      findSubjectSends: () => Promise.resolve(undefined),
      replaceSubjectSends: () => Promise.resolve(true),
      incrementDailyShard: (write: DailyShardWrite) => Promise.resolve(write.counter.level !== 'deployment'),
      decrementDailyShard: () => Promise.resolve(),
    };
    const limits = new SmsLimits(full, { smsAllowedCountries: ['FR'], smsDeploymentDailyLimit: 1, smsAccountDailyLimit: 1 }, { metrics: { count: (name) => counted.push(name) } });
    expect(await limits.reserveDaily({ id: 'org_1', accountId: 'acc_1', settings: { smsDailyLimit: 1, smsAllowedCountries: [] } })).toMatchObject({ ok: false, limit: 'deployment_daily' });
    expect(counted).toEqual([alarm.Properties.MetricName]);
  });

  it('watches exactly the metric the sign-in function emits: the EMF line of the metrics adapter under that function\'s environment', () => {
    const alarm = alarmResource(alarms.lockouts);
    const signIn = portcullisFunctions(template).get('completeAuthentication');
    if (!signIn) throw new Error('no completeAuthentication function');
    const variables = (signIn.resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    // The function's own configuration (its STAGE), read the way it reads it at a cold start.
    const strings = Object.fromEntries(Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    // API_BASE is an Fn::Join of the API id until deployed: a stand-in URL, as CloudFormation would resolve it.
    const { stage } = loadConfig({ ...strings, TABLE_NAME: 'table', API_BASE: 'https://api.example.test' });

    const written: string[] = [];
    const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false'; // the local test environment turns metrics off
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    try {
      const metrics = new PowertoolsMetrics({ stage });
      metrics.count(METRIC_NAMES.lockouts);
      metrics.flush();
    } finally {
      stdout.mockRestore();
      if (disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = disabled;
    }

    const lines = written.join('').trim().split('\n');
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0] ?? '') as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
    const [directive] = emf._aws.CloudWatchMetrics;
    const emitted = {
      Namespace: directive?.Namespace,
      MetricName: directive?.Metrics[0]?.Name,
      Dimensions: (directive?.Dimensions[0] ?? []).map((name) => ({ Name: name, Value: emf[name] })),
    };
    const watched = alarm.Properties as { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
    // CloudWatch matches a metric on namespace, name and the exact set of dimensions with their values.
    const byName = (a: { Name: string }, b: { Name: string }) => a.Name.localeCompare(b.Name);
    expect({ ...emitted, Dimensions: [...emitted.Dimensions].sort(byName) }).toEqual({
      Namespace: watched.Namespace,
      MetricName: watched.MetricName,
      Dimensions: [...watched.Dimensions].sort(byName),
    });
    expect(emitted.Dimensions).toEqual([
      { Name: 'service', Value: 'portcullis' },
      { Name: 'stage', Value: 'dev' },
    ]);
  });

  it('sends the ALARM and OK transitions of every notifying alarm to the topic', () => {
    const notifying = notifyingAlarms(alarms).map((alarm) => alarmResource(present(alarm)));
    expect(notifying).toHaveLength(8);
    for (const alarm of notifying) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [topicRef], OKActions: [topicRef] });
    }
  });

  it('creates a KMS-encrypted topic that refuses publishes without TLS and lets CloudWatch alarms publish', () => {
    const topic = alarmResource(stack.portcullis.node.findChild('AlarmTopic').node.findChild('Topic'));
    const keyId = logicalId(stack, stack.portcullis.node.findChild('AlarmTopic').node.findChild('Key'));
    expect(topic.Properties.KmsMasterKeyId).toEqual(arnOf(keyId));
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': Match.anyValue() as unknown } }),
          }),
        ]),
      },
    });
  });

  it('notifies an existing topic given by ARN, and nobody without a topic', () => {
    const existing = synthesize({ stage: 'dev', alarmTopicArn: TOPIC_ARN });
    // The one topic left is SES's bounce and complaint feedback (test/infra/email.test.ts), which no alarm notifies.
    expect(Object.keys(resourcesOfType(existing.template, 'AWS::SNS::Topic'))).toEqual([logicalId(existing.stack, existing.stack.portcullis.email.feedbackTopic)]);
    const notifying = notifyingAlarms(existing.stack.portcullis.alarms).map((alarm) => alarmResource(present(alarm), existing.template, existing.stack));
    for (const alarm of notifying) expect(alarm.Properties).toMatchObject({ AlarmActions: [TOPIC_ARN], OKActions: [TOPIC_ARN] });

    const none = synthesize({ stage: 'dev' });
    expect(Object.keys(resourcesOfType(none.template, 'AWS::SNS::Topic'))).toEqual([logicalId(none.stack, none.stack.portcullis.email.feedbackTopic)]);
    for (const alarm of Object.values({ ...resourcesOfType(none.template, 'AWS::CloudWatch::Alarm'), ...resourcesOfType(none.template, 'AWS::CloudWatch::CompositeAlarm') })) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it('takes thresholds from the props, can leave out the account-level SMS alarms, and refuses nonsense', () => {
    const tuned = synthesize(
      { stage: 'dev' },
      { props: { alarms: { serverErrorRatePercent: 5, functionErrors: 3, tableThrottleEvents: 10, lockoutsPerFiveMinutes: 50, smsAlarms: false } } },
    );
    const tunedAlarms = tuned.stack.portcullis.alarms;
    expect(tunedAlarms.smsSpend).toBeUndefined();
    expect(tunedAlarms.smsVolume).toBeUndefined();
    const thresholdOf = (alarm: Parameters<typeof logicalId>[1]) => alarmResource(alarm, tuned.template, tuned.stack).Properties.Threshold;
    expect(thresholdOf(tunedAlarms.serverErrorRate)).toBe(5);
    expect(thresholdOf(tunedAlarms.tableThrottles)).toBe(10);
    expect(thresholdOf(tunedAlarms.lockouts)).toBe(50);
    const errorGroups = Object.values(resourcesOfType(tuned.template, 'AWS::CloudWatch::Alarm')).filter((alarm) =>
      metricStats(alarm).some((stat) => stat.Metric.MetricName === 'Errors'),
    );
    expect(errorGroups.length).toBeGreaterThan(0);
    for (const group of errorGroups) expect(group.Properties.Threshold).toBe(3);
    expect(JSON.stringify(tuned.template.toJSON())).not.toContain('SMSMonthToDateSpentUSD');

    const build = (props: Partial<ConstructorParameters<typeof Portcullis>[2]>) => () =>
      new Portcullis(new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S'), 'Auth', { stage: 'dev', smsAllowedCountries: ['FR'], email: TEST_EMAIL, ...props });
    expect(build({ alarms: { lockoutsPerFiveMinutes: 0 } })).toThrow(/lockoutsPerFiveMinutes/);
    expect(build({ createAlarmTopic: true, alarmTopic: withTopic.stack.portcullis.alarmTopic })).toThrow(
      /either alarmTopic or createAlarmTopic/,
    );
    expect(build({ stage: 'Prod' })).toThrow(/Invalid stage/);
    expect(build({ alarms: { smsDeploymentCapRefusals: 0 } })).toThrow(/smsDeploymentCapRefusals/);
  });
});

describe('the construct in a stack of your own', () => {
  // What the README shows: your app, your stack, Portcullis as one construct among yours.
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const own = new Stack(app, 'ShopStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const auth = new Portcullis(own, 'Auth', {
    stage: 'prod',
    smsAllowedCountries: ['FR', 'BE'],
    email: TEST_EMAIL,
    issuer: 'https://auth.shop.example',
    sms: { senderId: 'Shop' },
    createAlarmTopic: true,
    throttleRateLimit: 20,
    throttleBurstLimit: 40,
  });
  new CfnOutput(own, 'AuthUrl', { value: auth.apiUrl });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const ownTemplates = stackTemplates(own);
  const embedded = mergedTemplate(ownTemplates);

  it('synthesizes with cdk-nag AwsSolutions clean', () => {
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
  });

  it('builds the whole service under its own construct id, with the props given', () => {
    const functions = portcullisFunctions(embedded);
    expect([...functions.keys()].sort()).toEqual([...manifest, ...Object.values(authorizers), ...jobs].map((definition) => definition.id).sort());
    expect([...auth.functions.keys()].sort()).toEqual([...functions.keys()].sort());
    for (const { logicalId: id, resource } of functions.values()) {
      // In your stack's template: the function itself, or the nested stack of its area.
      expect(containersOf(ownTemplates, id).at(-1)).toMatch(/^Auth/);
      expect(resource.Properties.Environment).toMatchObject({ Variables: { STAGE: 'prod', TOKEN_ISSUER: 'https://auth.shop.example' } });
    }
    embedded.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 } });
    embedded.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    embedded.hasOutput('AuthUrl', {});
    expect(Object.keys(resourcesOfType(embedded, 'AWS::CloudWatch::CompositeAlarm'))).toHaveLength(2);
    // The alarm topic, and SES's bounce and complaint feedback topic.
    expect(Object.keys(resourcesOfType(embedded, 'AWS::SNS::Topic'))).toHaveLength(2);
  });

  it('honours removal policy and log retention props over the stage defaults', () => {
    const devApp = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const devStack = new Stack(devApp, 'Other');
    new Portcullis(devStack, 'Auth', { stage: 'dev', smsAllowedCountries: ['FR'], email: TEST_EMAIL, removalPolicy: RemovalPolicy.RETAIN, logRetention: RetentionDays.ONE_WEEK });
    const other = mergedTemplate(devStack);
    other.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    for (const group of Object.values(resourcesOfType(other, 'AWS::Logs::LogGroup'))) {
      expect(group).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 7 } });
    }
  });
});
