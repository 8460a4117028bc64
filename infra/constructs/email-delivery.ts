import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  ConfigurationSetTlsPolicy,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/**
 * How the deployment sends e-mail through SES. The identity is the deployer's: verified in SES
 * beforehand (a domain with its DKIM records, or one address); the stack creates no DNS records.
 */
export interface EmailConfig {
  /**
   * The sender of every message: an address (`no-reply@auth.example.com`) or a display name and an
   * address (`Example <no-reply@auth.example.com>`), of the `identity`. Context `emailFrom`.
   */
  readonly from: string;
  /**
   * The SES identity the sender belongs to: the verified domain (`example.com`, which also covers
   * its subdomains) or the verified address itself. The functions may send as this identity only.
   * Context `emailIdentity`.
   * @default - the domain of the `from` address
   */
  readonly identity?: string;
  /** Where replies go (one address). Context `emailReplyTo`. @default - the sender */
  readonly replyTo?: string;
}

/** `EmailConfig` checked, with the parts the grants need. */
export interface EmailSending {
  /** `from` as given (what SES puts in the From header). */
  readonly from: string;
  /** The bare address of `from` (what the `ses:FromAddress` condition compares). */
  readonly fromAddress: string;
  readonly identity: string;
  readonly replyTo: string | undefined;
}

/** One address as SES takes it: no display name, no list, nothing around it. */
const ADDRESS = /^[^\s@<>",;()]+@([a-z0-9-]+(\.[a-z0-9-]+)+)$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/**
 * Checks the e-mail settings at synth (a deployment that cannot send would only fail at its first
 * signup) and answers the parts the grants need.
 */
export function emailSending(config: EmailConfig | undefined): EmailSending {
  if (!config?.from) {
    throw new Error(
      'email.from is required: the sender of the deployment\'s e-mail (signup verification, invitations, password resets), ' +
        'an address of an SES identity you verified, e.g. `-c emailFrom="Example <no-reply@auth.example.com>"` (and `-c emailIdentity=example.com` ' +
        'when the verified identity is not the address\'s own domain).',
    );
  }
  const named = /^([^<>]*)<([^<>]+)>$/.exec(config.from.trim());
  const fromAddress = (named?.[2] ?? config.from).trim();
  const domain = ADDRESS.exec(fromAddress)?.[1];
  if (!domain || (named && /["\\\r\n]/.test(named[1] ?? ''))) {
    throw new Error(`email.from must be an address or "Name <address>" (no quotes or line breaks in the name), not ${JSON.stringify(config.from)}`);
  }
  const identity = config.identity ?? domain;
  const lowerIdentity = identity.toLowerCase();
  const belongs = identity.includes('@')
    ? lowerIdentity === fromAddress.toLowerCase()
    : DOMAIN.test(identity) && (domain.toLowerCase() === lowerIdentity || domain.toLowerCase().endsWith(`.${lowerIdentity}`));
  if (!belongs) {
    throw new Error(`email.identity ${JSON.stringify(identity)} must be the sender's address or a domain it belongs to (the sender is ${fromAddress})`);
  }
  if (config.replyTo !== undefined && !ADDRESS.test(config.replyTo)) {
    throw new Error(`email.replyTo must be one address, not ${JSON.stringify(config.replyTo)}`);
  }
  return { from: config.from.trim(), fromAddress, identity, replyTo: config.replyTo };
}

export interface EmailDeliveryProps {
  /** What happens to the feedback topic's key when it leaves the stack. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

const SES = new ServicePrincipal('ses.amazonaws.com');

/**
 * The SES side of the deployment: the configuration set every message is sent with, and its bounce
 * and complaint feedback: an event destination publishing BOUNCE and COMPLAINT events to an
 * encrypted, TLS-only SNS topic, which invokes the feedback function (it marks the addresses
 * undeliverable, so the mailer sends them nothing more; `deliverFeedbackTo`).
 *
 * The configuration set also turns on SES's own suppression list for bounces and complaints, a second
 * net under ours, requires TLS to the receiving server (the messages carry sign-in links and PINs),
 * and records reputation metrics (the bounce and complaint rates SES judges the account by).
 */
export class EmailDelivery extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly feedbackTopic: Topic;
  readonly feedbackKey: Key;
  readonly eventDestination: ConfigurationSetEventDestination;

  constructor(scope: Construct, id: string, props: EmailDeliveryProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
    });

    // A key of its own, not alias/aws/sns: that key's policy cannot let SES in, and SES publishing to
    // a topic encrypted with it fails silently.
    this.feedbackKey = new Key(this, 'FeedbackKey', {
      description: 'Portcullis: encrypts the SES bounce and complaint topic',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: removalPolicy === RemovalPolicy.RETAIN ? Duration.days(30) : Duration.days(7),
    });
    this.feedbackKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesToPublishFeedback',
        principals: [SES],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // A key policy names the key itself as "*". No condition on the topic: the topic's ARN would
        // be a cycle (the topic names this key), and the topic policy already admits SES for this
        // account's configuration set only.
        resources: ['*'],
      }),
    );
    this.feedbackTopic = new Topic(this, 'FeedbackTopic', { displayName: 'Portcullis SES bounces and complaints', masterKey: this.feedbackKey, enforceSSL: true });
    // Adds the topic policy statement letting SES publish, for this account's configuration set only.
    this.eventDestination = new ConfigurationSetEventDestination(this, 'Feedback', {
      configurationSet: this.configurationSet,
      destination: EventDestination.snsTopic(this.feedbackTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
  }

  /** Subscribes the e-mail feedback function (functions/platform/handle-email-feedback.ts) to the feedback topic. */
  deliverFeedbackTo(feedbackFunction: IFunction): void {
    this.feedbackTopic.addSubscription(new LambdaSubscription(feedbackFunction));
  }
}
