/**
 * The operator console's distribution (SPEC §10): the built assets from a private S3 bucket through
 * Origin Access Control, `/v2/*` to the HTTP API uncached with the viewer's headers and cookies, a
 * strict security-headers policy, the SPA fallback on the assets only; and the distribution's URL as
 * the deployment's `apiBase` and `consoleUrl`. On by default; context `console=false` leaves it out.
 */
import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CSP, SPA_FALLBACK_CODE } from '#infra/constructs/console-distribution.ts';
import { logicalId, portcullisFunctions, RESOURCE_BUDGET, resourcesOfType, stackTemplates, synthesize } from './synth.ts';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  CachePolicyId: string;
  OriginRequestPolicyId?: string;
  ResponseHeadersPolicyId?: unknown;
  AllowedMethods?: string[];
  ViewerProtocolPolicy: string;
  FunctionAssociations?: { EventType: string; FunctionARN: unknown }[];
}

interface DistributionConfig {
  Origins: { Id: string; DomainName: unknown; S3OriginConfig?: unknown; OriginAccessControlId?: unknown; CustomOriginConfig?: { OriginProtocolPolicy: string } }[];
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: Behavior[];
  CustomErrorResponses?: unknown[];
  DefaultRootObject: string;
}

/** Every function's `API_BASE` and, for those reading the config, `CONSOLE_URL`, as the merged template holds them. */
function urlsOf(template: Template): { id: string; apiBase: unknown; consoleUrl: unknown }[] {
  return [...portcullisFunctions(template)].map(([id, { resource }]) => {
    const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    return { id, apiBase: variables.API_BASE, consoleUrl: variables.CONSOLE_URL };
  });
}

describe('the console distribution', () => {
  it('can be left out (context console=false): no bucket, no distribution, apiBase and consoleUrl the execute-api URL', () => {
    const { stack, template } = synthesize({ stage: 'dev', console: 'false' });
    expect(stack.portcullis.console).toBeUndefined();
    expect(Object.keys(resourcesOfType(template, 'AWS::CloudFront::Distribution'))).toEqual([]);
    expect(Object.keys(resourcesOfType(template, 'AWS::S3::Bucket'))).toEqual([]);
    const executeApi = JSON.stringify(Stack.of(stack).resolve(stack.portcullis.apiBase));
    expect(executeApi).toContain('execute-api');
    const urls = urlsOf(template);
    expect(urls.filter(({ consoleUrl }) => consoleUrl !== undefined).length).toBeGreaterThan(10);
    for (const { id, apiBase, consoleUrl } of urls) {
      expect(JSON.stringify(apiBase), id).toBe(executeApi);
      if (consoleUrl !== undefined) expect(JSON.stringify(consoleUrl), id).toBe(executeApi);
    }
  });

  describe('by default (no console context)', () => {
    // synthesize() runs cdk-nag as the synth's validation plugin: a finding would throw here.
    const { stack, template, templates } = synthesize({ stage: 'prod' });
    const distributions = Object.values(resourcesOfType(template, 'AWS::CloudFront::Distribution'));
    const config = distributions[0]?.Properties.DistributionConfig as DistributionConfig;
    const resolve = (value: unknown) => JSON.stringify(Stack.of(stack).resolve(value));

    it('has one distribution whose default behaviour is the private bucket through OAC, with the SPA fallback as a viewer-request function', () => {
      expect(distributions).toHaveLength(1);
      const s3 = config.Origins.find((origin) => origin.Id === config.DefaultCacheBehavior.TargetOriginId);
      expect(s3?.OriginAccessControlId).toBeDefined();
      expect(s3?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
      expect(Object.values(resourcesOfType(template, 'AWS::CloudFront::OriginAccessControl'))[0]?.Properties).toMatchObject({
        OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
      });
      expect(config.DefaultRootObject).toBe('index.html');
      expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: expect.anything() as unknown }]);
      const [fn] = Object.values(resourcesOfType(template, 'AWS::CloudFront::Function'));
      expect(fn?.Properties.FunctionCode).toBe(SPA_FALLBACK_CODE);
      // No custom error responses: they would apply to /v2/* too and hide the API's 403 and 404.
      expect(config.CustomErrorResponses).toBeUndefined();
    });

    it('sends /v2/* to the HTTP API over HTTPS, never cached, all methods, every viewer header and cookie but Host', () => {
      expect(config.CacheBehaviors.map((behavior) => behavior.PathPattern)).toEqual(['/v2/*']);
      const [api] = config.CacheBehaviors;
      expect(api).toMatchObject({
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        ViewerProtocolPolicy: 'https-only',
      });
      const origin = config.Origins.find((candidate) => candidate.Id === api?.TargetOriginId);
      expect(origin?.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
      // `Fn::Select(2, Fn::Split('/', <api>.ApiEndpoint))`: the execute-api host of this API.
      expect(resolve(origin?.DomainName)).toContain(`"${logicalId(stack, stack.portcullis.api)}","ApiEndpoint"`);
    });

    it("puts the strict security headers on every answer: CSP, HSTS, nosniff, DENY, no-referrer, over S3's and under the API's own", () => {
      const policies = resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy');
      const headers = (override: boolean) => ({
        ContentSecurityPolicy: { ContentSecurityPolicy: CONSOLE_CSP, Override: override },
        StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: override },
        ContentTypeOptions: { Override: override },
        FrameOptions: { FrameOption: 'DENY', Override: override },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: override },
      });
      const policyOf = (behavior: Behavior | undefined) => policies[(behavior?.ResponseHeadersPolicyId as { Ref: string }).Ref]?.Properties;
      expect(policyOf(config.DefaultCacheBehavior)).toMatchObject({ ResponseHeadersPolicyConfig: { SecurityHeadersConfig: headers(true) } });
      // The enrolment page and the hosted login pages set their own CSP, which must win.
      expect(policyOf(config.CacheBehaviors[0])).toMatchObject({ ResponseHeadersPolicyConfig: { SecurityHeadersConfig: headers(false) } });
      expect(CONSOLE_CSP).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self' 'sha256-38RhXrc7EdReTKsOm23ZPOCUgniTUUcjky8QOOrQx6o=' 'sha256-gYiS/BvZvRcK27JIXTuwhZ3hs2+VJ1X+2gUlE+farlg='; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
    });

    it('keeps the bucket private: public access blocked, TLS only, encrypted, owner-enforced', () => {
      const [bucket] = Object.values(resourcesOfType(template, 'AWS::S3::Bucket'));
      expect(bucket?.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      const policies = JSON.stringify(Object.values(resourcesOfType(template, 'AWS::S3::BucketPolicy')));
      expect(policies).toContain('"aws:SecureTransport":"false"');
      expect(policies).toContain('cloudfront.amazonaws.com');
      expect(bucket?.DeletionPolicy).toBe('Retain');
    });

    it('deploys the assets (the build, or a placeholder page) and invalidates the distribution', () => {
      const [deployment] = Object.values(resourcesOfType(template, 'Custom::CDKBucketDeployment'));
      expect(deployment?.Properties).toMatchObject({ Prune: true, DistributionPaths: ['/*'] });
    });

    it("makes the distribution's URL every function's apiBase (the issuers) and consoleUrl (the e-mailed links)", () => {
      const distributionId = Object.keys(resourcesOfType(template, 'AWS::CloudFront::Distribution'))[0];
      const url = resolve(stack.portcullis.console?.url);
      // `https://` + the distribution's DomainName, exactly; in a nested stack, through its parameter.
      expect(url).toBe(JSON.stringify({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] }));
      expect(resolve(stack.portcullis.apiBase)).toBe(url);
      const urls = urlsOf(template);
      expect(urls.length).toBeGreaterThan(50);
      expect(urls.filter(({ consoleUrl }) => consoleUrl !== undefined).length).toBeGreaterThan(10);
      for (const { id, apiBase, consoleUrl } of urls) {
        expect(JSON.stringify(apiBase), id).toBe(url);
        if (consoleUrl !== undefined) expect(JSON.stringify(consoleUrl), id).toBe(url);
      }
    });

    it('outputs the console URL', () => {
      expect(templates[0]?.json.Outputs?.ConsoleUrl?.Value).toEqual(JSON.parse(url()) as unknown);
    });

    const url = () => resolve(stack.portcullis.console?.url);

    it(`keeps every template within ${RESOURCE_BUDGET} resources`, () => {
      const counts = templates.map((t) => [t.path, Object.keys(t.json.Resources).length] as const).sort((a, b) => b[1] - a[1]);
      console.log(`largest templates with the console: ${counts.slice(0, 3).map(([path, count]) => `${path} ${String(count)}`).join(', ')}`);
      for (const [path, count] of counts) expect(count, path).toBeLessThanOrEqual(RESOURCE_BUDGET);
    });
  });

  it(`keeps every template within ${RESOURCE_BUDGET} resources in dev too (the bucket empties itself: one more custom resource)`, () => {
    const { stack } = synthesize({ stage: 'dev' });
    for (const template of stackTemplates(stack)) expect(Object.keys(template.json.Resources).length, template.file).toBeLessThanOrEqual(RESOURCE_BUDGET);
  });

  it('lets a custom-domain apiBase keep priority for the issuers; the e-mailed links still go to the distribution', () => {
    const { stack, template } = synthesize({ stage: 'dev', apiBase: 'https://auth.example.com' });
    expect(stack.portcullis.apiBase).toBe('https://auth.example.com');
    const distribution = JSON.stringify(Stack.of(stack).resolve(stack.portcullis.console?.url));
    for (const { id, apiBase, consoleUrl } of urlsOf(template)) {
      expect(apiBase, id).toBe('https://auth.example.com');
      if (consoleUrl !== undefined) expect(JSON.stringify(consoleUrl), id).toBe(distribution);
    }
  });

  it('lets an explicit consoleUrl keep priority', () => {
    const { template } = synthesize({ stage: 'dev', consoleUrl: 'https://console.example.com' });
    const urls = urlsOf(template).filter(({ consoleUrl }) => consoleUrl !== undefined);
    expect(urls.length).toBeGreaterThan(10);
    for (const { id, consoleUrl } of urls) expect(consoleUrl, id).toBe('https://console.example.com');
  });
});
