/**
 * The optional AWS WAF (SPEC §6): a web ACL with a rate-based rule per source IP in front of the
 * public routes. WAF cannot be associated with an HTTP API, so it sits on a CloudFront distribution
 * in front of the API. Off by default.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { logicalId, resourcesOfType, synthesize } from './synth.ts';

const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/shared/0123abcd-0123-0123-0123-0123456789ab';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const acknowledgedRules = (stack: Stack): string[] =>
  stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as Record<string, unknown>).map((id) => id.replace(/^annotation::/i, ''))),
  );

// The console's own distribution (on by default) is left out: these are the WAF edge's.
describe('AWS WAF in front of the API', () => {
  it('is off by default: no distribution, no web ACL', () => {
    const { template } = synthesize({ stage: 'prod', console: 'false' });
    expect(Object.keys(resourcesOfType(template, 'AWS::CloudFront::Distribution'))).toEqual([]);
    expect(Object.keys(resourcesOfType(template, 'AWS::WAFv2::WebACL'))).toEqual([]);
  });

  describe('when on, in us-east-1', () => {
    const { app, stack, template } = synthesize({ stage: 'prod', console: 'false' }, { props: { env: { region: 'us-east-1' }, waf: {} } });
    const [webAclId, webAcl] = Object.entries(resourcesOfType(template, 'AWS::WAFv2::WebACL'))[0] ?? [];
    const distributions = Object.values(resourcesOfType(template, 'AWS::CloudFront::Distribution'));

    it('creates a CLOUDFRONT web ACL whose rate-based rule blocks a source IP over 1,000 requests in 5 minutes', () => {
      expect(webAcl?.Properties).toMatchObject({
        Scope: 'CLOUDFRONT',
        DefaultAction: { Allow: {} },
        Rules: [
          {
            Name: 'rate-per-source-ip',
            Action: { Block: {} },
            Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 1000, EvaluationWindowSec: 300 } },
            VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: 'portcullis-rate-per-ip' },
          },
        ],
      });
    });

    it('puts it on a distribution that forwards every request to the API uncached, with its headers, HTTPS only', () => {
      expect(distributions).toHaveLength(1);
      const config = distributions[0]?.Properties.DistributionConfig as Record<string, unknown>;
      expect(config.WebACLId).toEqual({ 'Fn::GetAtt': [webAclId, 'Arn'] });
      expect(config.DefaultCacheBehavior).toMatchObject({
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'https-only',
      });
      const apiId = logicalId(stack, stack.portcullis.api);
      expect(config.Origins).toEqual([
        expect.objectContaining({
          DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }] }] },
          CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
        }),
      ]);
      template.hasOutput('EdgeUrl', {});
    });

    it('passes cdk-nag with the WAF rule (CFR2) holding, not acknowledged', () => {
      expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
      expect(acknowledgedRules(stack).filter((rule) => rule.includes('CFR'))).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR3', 'AwsSolutions-CFR4']);
    });

    it('adds two resources: the distribution and the web ACL', () => {
      const off = synthesize({ stage: 'prod', console: 'false' }, { props: { env: { region: 'us-east-1' } } });
      const count = (t: typeof template) => Object.keys(t.toJSON().Resources as object).length;
      expect(count(template) - count(off.template)).toBe(2);
    });
  });

  it('takes an existing web ACL by ARN in any region, and creates none', () => {
    const { app, template } = synthesize({ stage: 'prod', console: 'false' }, { props: { env: { region: 'eu-west-1' }, waf: { webAclArn: WEB_ACL_ARN } } });
    expect(Object.keys(resourcesOfType(template, 'AWS::WAFv2::WebACL'))).toEqual([]);
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: { WebACLId: WEB_ACL_ARN } });
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
  });

  it('refuses to create a web ACL outside us-east-1 and a rate limit WAF would refuse', () => {
    expect(() => synthesize({ stage: 'dev', console: 'false' }, { props: { waf: {} } })).toThrow(/only be created in us-east-1/);
    expect(() => synthesize({ stage: 'dev', console: 'false' }, { props: { env: { region: 'eu-west-1' }, waf: {} } })).toThrow(/waf.webAclArn/);
    expect(() => synthesize({ stage: 'dev', console: 'false' }, { props: { env: { region: 'us-east-1' }, waf: { requestsPerIpPerFiveMinutes: 5 } } })).toThrow(/≥ 10/);
  });
});
