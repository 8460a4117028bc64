/**
 * The SES side of a deployment (SPEC §8): the configuration set every message is sent with, its
 * bounces and complaints published to an encrypted topic that invokes the feedback function, and the
 * deployment's e-mail and account-lifecycle settings as props and context.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Portcullis } from '#infra/portcullis.ts';
import { emailFeedbackFunction, manifest } from '#shared/http/manifest.ts';
import { arnOf, cdkJsonContext, containersOf, logicalId, portcullisFunctions, resourcesOfType, synthesize, TEST_EMAIL, TEST_SMS_COUNTRIES } from './synth.ts';

describe('the SES configuration set and its feedback', () => {
  const { stack, template, templates } = synthesize({ stage: 'prod' });
  const email = stack.portcullis.email;
  const configurationSet = logicalId(stack, email.configurationSet);
  const topic = logicalId(stack, email.feedbackTopic);
  const key = logicalId(stack, email.feedbackKey);
  const feedback = portcullisFunctions(template).get(emailFeedbackFunction.id);
  if (!feedback) throw new Error('no e-mail feedback function');

  it('sends with one configuration set: TLS required, SES suppression of bounces and complaints, reputation metrics', () => {
    expect(Object.keys(resourcesOfType(template, 'AWS::SES::ConfigurationSet'))).toEqual([configurationSet]);
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('publishes BOUNCE and COMPLAINT events, and only those, to the feedback topic', () => {
    const destinations = Object.values(resourcesOfType(template, 'AWS::SES::ConfigurationSetEventDestination'));
    expect(destinations.map((destination) => destination.Properties)).toEqual([
      {
        ConfigurationSetName: { Ref: configurationSet },
        EventDestination: { Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: { TopicARN: { Ref: topic } } },
      },
    ]);
  });

  it('encrypts the topic with a key SES may use, refuses publishes without TLS, and admits SES for this configuration set only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(key) });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Principal: { Service: 'ses.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
            Resource: { Ref: topic },
            Condition: {
              StringEquals: {
                'AWS:SourceAccount': { Ref: 'AWS::AccountId' },
                'AWS:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':configuration-set/', { Ref: configurationSet }]],
                },
              },
            },
          },
        ],
      },
    });
  });

  it('invokes the feedback function from the topic, and from nothing else', () => {
    expect(Object.values(resourcesOfType(template, 'AWS::SNS::Subscription')).map((subscription) => subscription.Properties)).toEqual([
      { Protocol: 'lambda', TopicArn: { Ref: topic }, Endpoint: arnOf(feedback.logicalId) },
    ]);
    const invokers = Object.values(resourcesOfType(template, 'AWS::Lambda::Permission')).filter(
      (permission) => JSON.stringify(permission.Properties.FunctionName) === JSON.stringify(arnOf(feedback.logicalId)),
    );
    expect(invokers.map((permission) => permission.Properties)).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: arnOf(feedback.logicalId), Principal: 'sns.amazonaws.com', SourceArn: { Ref: topic } },
    ]);
    expect(feedback.resource.Properties.Handler).toBe('index.handler');
  });

  it('keeps all of it in the root stack, next to the key function, and retains the topic key in prod', () => {
    const [root] = templates;
    for (const id of [configurationSet, topic, key, feedback.logicalId, ...Object.keys(resourcesOfType(template, 'AWS::SES::ConfigurationSetEventDestination'))]) {
      expect(containersOf(templates, id), id).toEqual([id]);
      expect(root?.json.Resources[id], id).toBeDefined();
    }
    expect(root?.json.Resources[key]?.DeletionPolicy).toBe('Retain');
  });
});

describe('the e-mail and account-lifecycle settings', () => {
  it('are required: the context emailFrom, or the construct prop email', () => {
    expect(() => synthesize({ stage: 'dev', emailFrom: undefined })).toThrow(/Context emailFrom is required/);
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    expect(() => new Portcullis(new Stack(app, 'S'), 'Auth', { stage: 'dev', smsAllowedCountries: ['FR'] } as unknown as ConstructorParameters<typeof Portcullis>[2])).toThrow(
      /email\.from is required/,
    );
  });

  it('refuse a sender, identity or reply-to address SES would not take', () => {
    const build = (email: object) => () =>
      new Portcullis(new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S'), 'Auth', { stage: 'dev', smsAllowedCountries: ['FR'], email: email as typeof TEST_EMAIL });
    expect(build({ from: 'not an address' })).toThrow(/email\.from must be an address/);
    expect(build({ from: 'a@example.test, b@example.test' })).toThrow(/email\.from must be an address/);
    expect(build({ from: '"Evil\r\nBcc: x" <a@example.test>' })).toThrow(/email\.from must be an address/);
    expect(build({ from: 'no-reply@example.test', identity: 'other.test' })).toThrow(/email\.identity "other\.test" must be the sender's address or a domain/);
    expect(build({ from: 'no-reply@example.test', identity: 'ops@example.test' })).toThrow(/email\.identity/);
    expect(build({ from: 'no-reply@badexample.test', identity: 'example.test' })).toThrow(/email\.identity/);
    expect(build({ ...TEST_EMAIL, replyTo: 'Support <support@example.test>' })).toThrow(/email\.replyTo must be one address/);
    expect(build({ ...TEST_EMAIL, identity: 'auth.example.test', replyTo: 'support@example.test' })).not.toThrow();
  });

  it('give every function that reads the config the signup mode, the session lifetimes and the console URL', () => {
    const { stack, template } = synthesize({ stage: 'dev' });
    const apiBase = stack.resolve(stack.portcullis.apiBase) as unknown;
    const functions = portcullisFunctions(template);
    for (const route of manifest.filter((candidate) => candidate.access.table)) {
      expect(functions.get(route.id)?.resource.Properties.Environment, route.id).toMatchObject({
        Variables: { SIGNUP_MODE: 'verify-email', SESSION_ABSOLUTE_SECONDS: '2592000', SESSION_IDLE_SECONDS: '604800', CONSOLE_URL: apiBase },
      });
    }
    expect(functions.get(emailFeedbackFunction.id)?.resource.Properties.Environment).toMatchObject({ Variables: { SIGNUP_MODE: 'verify-email', SMS_ALLOWED_COUNTRIES: TEST_SMS_COUNTRIES } });
  });

  it('take the context keys and the Duration props, and refuse what the functions could not run with', () => {
    const tuned = synthesize({ stage: 'dev', signupMode: 'closed', sessionAbsoluteLifetime: '86400', sessionIdleTimeout: '3600', consoleUrl: 'https://console.example.test' });
    const signUp = portcullisFunctions(tuned.template).get('signup');
    expect(signUp?.resource.Properties.Environment).toMatchObject({
      Variables: { SIGNUP_MODE: 'closed', SESSION_ABSOLUTE_SECONDS: '86400', SESSION_IDLE_SECONDS: '3600', CONSOLE_URL: 'https://console.example.test' },
    });
    const build = (props: object) => () =>
      new Portcullis(new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S'), 'Auth', { stage: 'dev', smsAllowedCountries: ['FR'], email: TEST_EMAIL, ...props });
    expect(build({ signupMode: 'invite-only' })).toThrow(/signupMode must be one of open, verify-email, closed/);
    expect(build({ sessionIdleTimeout: Duration.days(31) })).toThrow(/sessionIdleTimeout .* must not exceed sessionAbsoluteLifetime/);
    expect(build({ sessionAbsoluteLifetime: Duration.days(1) })).toThrow(/must not exceed/);
    expect(build({ sessionAbsoluteLifetime: Duration.minutes(5) })).toThrow(/sessionAbsoluteLifetime must be from 15 minutes/);
    expect(build({ sessionIdleTimeout: Duration.millis(1500) })).toThrow(/sessionIdleTimeout must be a whole number of seconds/);
    expect(build({ consoleUrl: 'http://console.example.test' })).toThrow(/consoleUrl must be an https URL/);
    expect(build({ consoleUrl: 'https://console.example.test/' })).toThrow(/consoleUrl must be an https URL/);
    expect(build({ sessionAbsoluteLifetime: Duration.days(1), sessionIdleTimeout: Duration.hours(2), signupMode: 'open' })).not.toThrow();
  });
});
