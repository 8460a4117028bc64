/**
 * No function's IAM policy grants on `Resource: "*"`, except the two grants AWS only authorizes on
 * `*`: `sns:Publish` for SMS sent straight to a phone number (no topic, so no ARN to name) on the
 * functions whose manifest entry says `sms`, and X-Ray's `PutTraceSegments`/`PutTelemetryRecords`
 * (active tracing; X-Ray supports no resource-level permissions). Everything else names its resource.
 */
import { describe, expect, it } from 'vitest';
import { authorizers, manifest } from '#shared/http/manifest.ts';
import { actionsOf, portcullisFunctions, resourcesOf, statementsOf, synthesize } from './synth.ts';

/** The only actions a function may hold on `*`, and why. */
const WILDCARD_ALLOWED: Record<string, string> = {
  'sns:Publish': 'SMS to a phone number (Publish with PhoneNumber) is authorized on Resource "*" only',
  'xray:PutTraceSegments': 'X-Ray has no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray has no resource-level permissions',
};

const isWildcard = (resource: unknown): boolean => resource === '*';

describe('IAM policies of the functions', () => {
  const { template } = synthesize({ stage: 'prod' });
  const functions = portcullisFunctions(template);
  const smsFunctions = new Set(manifest.filter((route) => route.access.sms).map((route) => route.id));

  it('covers every route and authorizer of the manifest', () => {
    expect([...functions.keys()].sort()).toEqual([...manifest.map((route) => route.id), ...Object.values(authorizers).map((authorizer) => authorizer.id)].sort());
  });

  it('grant on "*" only sns:Publish (functions that send SMS) and the X-Ray tracing actions', () => {
    const offending: string[] = [];
    for (const [id, { resource }] of functions) {
      for (const statement of statementsOf(template, resource)) {
        if (statement.Effect !== 'Allow' || !resourcesOf(statement).some(isWildcard)) continue;
        for (const action of actionsOf(statement)) {
          const allowed = action in WILDCARD_ALLOWED && (action !== 'sns:Publish' || smsFunctions.has(id));
          if (!allowed) offending.push(`${id}: ${action} on "*"`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('give sns:Publish only to the functions whose manifest entry sends SMS', () => {
    const publishers = [...functions]
      .filter(([, { resource }]) => statementsOf(template, resource).some((statement) => actionsOf(statement).includes('sns:Publish')))
      .map(([id]) => id)
      .sort();
    expect(publishers).toEqual([...smsFunctions].sort());
    expect(publishers.length).toBeGreaterThan(0);
  });

  it('never grant a wildcard action', () => {
    const wildcardActions = [...functions].flatMap(([id, { resource }]) =>
      statementsOf(template, resource)
        .flatMap(actionsOf)
        .filter((action) => action === '*' || action.endsWith(':*'))
        .map((action) => `${id}: ${action}`),
    );
    expect(wildcardActions).toEqual([]);
  });
});
