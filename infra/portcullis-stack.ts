import { Stack, type StackProps } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { Portcullis, type PortcullisProps } from './portcullis.ts';

export interface PortcullisStackProps extends StackProps, PortcullisProps {
  /** ARN of an existing topic for the alarms (context `alarmTopicArn`), instead of `alarmTopic`. @default - none */
  readonly alarmTopicArn?: string;
}

/**
 * The repository's own deployment: a stack holding nothing but the `Portcullis` construct, the same
 * one another CDK app embeds in its own stack.
 */
export class PortcullisStack extends Stack {
  readonly portcullis: Portcullis;

  constructor(scope: Construct, id: string, props: PortcullisStackProps) {
    super(scope, id, props);
    const { alarmTopicArn, ...settings } = props;
    const alarmTopic = settings.alarmTopic ?? (alarmTopicArn ? Topic.fromTopicArn(this, 'AlarmTopicImport', alarmTopicArn) : undefined);
    // "Default" is the one construct id CDK leaves out of logical ids: the resources keep the ids
    // they had when this stack built them itself, so an update never replaces the table or the keys.
    this.portcullis = new Portcullis(this, 'Default', { ...settings, alarmTopic });
  }
}
