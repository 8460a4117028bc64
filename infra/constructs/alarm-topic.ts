import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** What happens to the topic's key when the construct is removed. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

const CLOUDWATCH = new ServicePrincipal('cloudwatch.amazonaws.com');

/**
 * An SNS topic for alarm notifications, encrypted with a key of its own and refusing publishes
 * without TLS. CloudWatch publishes to it as a service: the topic policy (which replaces SNS's
 * default one once SSL is enforced) and the key policy must both let it, or every notification
 * fails silently in the alarm history. Subscribe to it (email, chat) after deploying.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const { account, partition, region } = Stack.of(this);

    // Not the AWS-managed alias/aws/sns key: its policy cannot be changed to let CloudWatch in.
    this.key = new Key(this, 'Key', {
      description: 'Portcullis: encrypts the alarm notification topic',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: removalPolicy === RemovalPolicy.RETAIN ? Duration.days(30) : Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [CLOUDWATCH],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // A key policy names the key itself as "*". No source condition here: CloudWatch's calls to
        // KMS on behalf of an alarm do not all carry one, and the topic policy below already limits
        // publishing to this account's alarms.
        resources: ['*'],
      }),
    );

    this.topic = new Topic(this, 'Topic', { displayName: 'Portcullis alarms', masterKey: this.key, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [CLOUDWATCH],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
  }
}
