import { Stack, Validations } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { manifest } from '#shared/http/manifest.ts';
import { futureRoutes } from './fixtures.ts';
import { logicalId, resourcesOfType, synthesize } from './synth.ts';

const routes = [...manifest, ...futureRoutes];

/** Every acknowledgment in the app: the construct it sits on, the rule id and the written reason. */
function acknowledgments(scope: Stack) {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          construct,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it.each([
    // The console's distribution is on by default: dev and prod include it.
    { name: 'dev (with the console)', context: { stage: 'dev' } },
    { name: 'prod (with the console)', context: { stage: 'prod' } },
    { name: 'prod with an alarm topic', context: { stage: 'prod', createAlarmTopic: 'true' } },
    { name: 'dev without the console', context: { stage: 'dev', console: 'false' } },
    { name: 'prod without the console', context: { stage: 'prod', console: 'false' } },
  ])('reports no error and no warning for $name', ({ context }) => {
    // synthesize() has already run the checks as the synth's validation plugin (a finding throws);
    // running them again here shows the report itself, warnings included.
    const { app } = synthesize(context, { props: { routes } });
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
  });

  it('fails the synth when a resource breaks a rule', () => {
    const { app, stack } = synthesize({ stage: 'dev' });
    new CfnRoute(stack, 'Unguarded', { apiId: stack.portcullis.api.apiId, routeKey: 'GET /v2/unguarded', authorizationType: 'NONE' });
    expect(() => app.synth({ force: true })).toThrow(/AwsSolutions-APIG4/);
  });

  it('checks the nested stacks too: a finding in an area fails the synth', () => {
    const { app, stack } = synthesize({ stage: 'dev' });
    const tenancy = stack.portcullis.areas.get('tenancy');
    if (!tenancy) throw new Error('no tenancy nested stack');
    new CfnRoute(tenancy, 'Unguarded', { apiId: stack.portcullis.api.apiId, routeKey: 'GET /v2/unguarded', authorizationType: 'NONE' });
    expect(() => app.synth({ force: true })).toThrow(/Portcullis-dev\/Default\/Tenancy\/Unguarded[\s\S]*AwsSolutions-APIG4/);
  });

  it('acknowledges only known rules, on single resources, each with a written reason', () => {
    const { stack } = synthesize({ stage: 'dev' }, { props: { routes } });
    const found = acknowledgments(stack);
    const consoleBucket = stack.portcullis.console ? logicalId(stack, stack.portcullis.console.bucket) : 'no console';
    expect(new Set(found.map((acknowledgment) => acknowledgment.id))).toEqual(
      new Set([
        'AwsSolutions-L1',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-APIG4',
        // The console's distribution (on by default) and CDK's BucketDeployment handler that fills its bucket.
        'AwsSolutions-S1',
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR2',
        'AwsSolutions-CFR3',
        'AwsSolutions-CFR4',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => `AwsSolutions-IAM5[Action::${action}]`),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        `AwsSolutions-IAM5[Resource::<${consoleBucket}.Arn>/*]`,
      ]),
    );
    for (const { construct, id, reason } of found) {
      expect(Stack.isStack(construct), `${id} on ${construct.node.path}`).toBe(false);
      expect(typeof reason === 'string' && reason.length >= 40, `${id} on ${construct.node.path}`).toBe(true);
    }
  });

  it('writes the acknowledgments and their reasons into the template as an audit trail', () => {
    const { template } = synthesize({ stage: 'dev' });
    const routesWithoutAuthorizer = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).filter(
      (route) => route.Properties.AuthorizationType === 'NONE',
    );
    expect(routesWithoutAuthorizer.length).toBeGreaterThan(0);
    for (const route of routesWithoutAuthorizer) {
      expect(route.Metadata?.cdk_nag).toEqual({
        rules_to_suppress: [{ id: 'AwsSolutions-APIG4', reason: expect.stringContaining(String(route.Properties.RouteKey)) as string }],
      });
    }
  });
});
