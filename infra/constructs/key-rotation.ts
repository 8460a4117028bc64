import { CustomResource, Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * How often the signing key rotates by default. Each rotation adds a keyring generation that every
 * signer reads on its cold start and every 5 minutes (one GetItem per generation), so monthly keeps
 * that list short while bounding how long one private key signs.
 */
export const DEFAULT_KEY_ROTATION_SCHEDULE = Schedule.rate(Duration.days(30));

export interface KeyRotationProps {
  /** The key function (functions/platform/rotate-keys.ts), the only one allowed to write keyrings. */
  readonly keyFunction: IFunction;
  /** When to rotate the token-signing key. @default DEFAULT_KEY_ROTATION_SCHEDULE (every 30 days) */
  readonly schedule?: Schedule;
}

/**
 * Runs the key function once at deployment, as a custom resource answered by the function itself
 * (one resource, no provider framework), so that the keyrings exist before the API needs them; and on
 * a schedule (an EventBridge rule), so that the signing key rotates without anyone remembering to.
 */
export class KeyRotation extends Construct {
  readonly rule: Rule;
  readonly provisioning: CustomResource;

  constructor(scope: Construct, id: string, props: KeyRotationProps) {
    super(scope, id);
    this.rule = new Rule(this, 'Schedule', {
      description: 'Portcullis: rotates the token-signing key',
      schedule: props.schedule ?? DEFAULT_KEY_ROTATION_SCHEDULE,
      // A failed rotation is retried; the next scheduled run retries anyway (rotation is idempotent).
      targets: [new LambdaFunction(props.keyFunction, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });
    this.provisioning = new CustomResource(this, 'Provision', {
      serviceToken: props.keyFunction.functionArn,
      resourceType: 'Custom::PortcullisKeyrings',
    });
  }
}
