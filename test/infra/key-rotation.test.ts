/** A key rotation runs on a schedule (SPEC §6), and the key function creates the keyrings at deployment. */
import { Duration } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { DATA_KEY_PURPOSES } from '#shared/domain/platform/keyring.ts';
import { keyFunction, manifest } from '#shared/http/manifest.ts';
import { arnOf, portcullisFunctions, resourcesOfType, synthesize } from './synth.ts';

describe('key rotation', () => {
  const { template } = synthesize({ stage: 'prod' });
  const keyFunctionId = portcullisFunctions(template).get(keyFunction.id)?.logicalId ?? 'missing';

  it('invokes the key function on a schedule, every 30 days by default', () => {
    const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(30 days)',
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: arnOf(keyFunctionId), RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: arnOf(keyFunctionId), Principal: 'events.amazonaws.com' });
  });

  it('runs the key function once at deployment, so the keyrings exist before the API reads them', () => {
    const provisions = Object.values(resourcesOfType(template, 'Custom::PortcullisKeyrings'));
    expect(provisions).toHaveLength(1);
    expect(provisions[0]?.Properties).toEqual({ ServiceToken: arnOf(keyFunctionId) });
  });

  it('takes the schedule as a prop', () => {
    const tuned = synthesize({ stage: 'dev' }, { props: { keyRotationSchedule: Schedule.rate(Duration.days(7)) } });
    tuned.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(7 days)' });
  });

  it('the manifest names the same data-key purposes as the domain, and every one is created by the key function', () => {
    const named = new Set(manifest.flatMap((route) => route.access.encryptionKey ?? []));
    expect([...named].sort()).toEqual([...DATA_KEY_PURPOSES].sort());
    for (const route of manifest) expect(route.access.encryptionKey?.length ?? 1, route.id).toBeGreaterThan(0);
    expect(manifest.filter((route) => route.access.writesKeyrings).map((route) => route.id)).toEqual([]);
  });
});
