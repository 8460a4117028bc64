import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Fn, RemovalPolicy, Stack, Stage, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

import { CONSOLE_CSP } from '#shared/http/console-headers.ts';

export { CONSOLE_CSP };

/** Where the console's build lands (`npm run build` in console/), relative to the repository root. */
export const CONSOLE_DIST = join('console', 'dist');

export interface ConsoleDistributionProps {
  /** The HTTP API that `/v2/*` goes to. */
  readonly api: IHttpApi;
  /** What happens to the assets bucket when it leaves the stack. The assets are a build output: `DESTROY` empties it first. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * The directory of the built console (index.html at its root).
   * @default `<repository>/console/dist` when it exists, else a one-page placeholder written at synth into cdk.out
   */
  readonly assetsDirectory?: string;
  /** The repository root, where `console/dist` is looked for. */
  readonly projectRoot: string;
}

/**
 * The operator console's edge (SPEC §10): one CloudFront distribution, one origin for the browser.
 * `/*` is the console's built assets from a private S3 bucket, read through Origin Access Control,
 * with a single-page-app fallback (a path that is no file answers index.html, 200); `/v2/*` is the
 * HTTP API, never cached, with the viewer's headers, query and cookies (the refresh-token cookie of
 * cookie mode) forwarded, Host excepted. Same origin for both, so the console needs no CORS and the
 * API answers none. Every answer gets the console's security headers (CSP, HSTS, nosniff, DENY,
 * no-referrer): over S3's, and under the API's own, which keep priority on `/v2/*`.
 *
 * The single-page-app fallback is a CloudFront Function on the assets' behaviour, not the
 * distribution's custom error responses: those apply to every behaviour, and would turn the API's
 * own 403 and 404 (problem+json the console reads) into index.html with 200.
 */
export class ConsoleDistribution extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** The console's security headers, over whatever S3 answers. */
  readonly responseHeadersPolicy: ResponseHeadersPolicy;
  /** The same headers on `/v2/*`, where the API's own win. */
  readonly apiResponseHeadersPolicy: ResponseHeadersPolicy;
  /** `https://<id>.cloudfront.net`, no trailing slash: the deployment's `apiBase` and `consoleUrl` by default. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleDistributionProps) {
    super(scope, id);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    this.bucket = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds the console build only, public by nature and replaced at each deployment; the only reader is CloudFront through OAC, whose requests are the distribution’s. A log bucket would add resources for no record worth keeping.',
    });

    this.responseHeadersPolicy = securityHeadersPolicy(this, 'SecurityHeaders', true);
    // The API's answers carry their own headers (shared/http/responses.ts; the enrolment and hosted
    // login pages their own CSP), which must win: this one only fills in what an answer lacks (API
    // Gateway's own 401/403, say).
    this.apiResponseHeadersPolicy = securityHeadersPolicy(this, 'ApiSecurityHeaders', false);

    // `https://<api-id>.execute-api.<region>.amazonaws.com` → the host name.
    const apiDomain = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Portcullis console and API',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'SpaFallback', {
              comment: 'Portcullis console: console routes are index.html',
              runtime: FunctionRuntime.JS_2_0,
              code: FunctionCode.fromInline(SPA_FALLBACK_CODE),
            }),
          },
        ],
      },
      additionalBehaviors: {
        '/v2/*': {
          origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          // An API client does not follow a redirect with its POST body: plain HTTP is refused.
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // With caching disabled this policy forwards Authorization, every cookie and the query; Host
          // is left out because API Gateway needs its own.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.apiResponseHeadersPolicy,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Operators of the accounts work from anywhere; blocking viewers by country is the deployment’s choice, not the service’s.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The API behind /v2/* has its own throttles per route and stage; a web ACL (the `waf` prop) is the deployment’s choice. Note: the execute-api URL stays reachable directly, so a web ACL here alone would not cover every request.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Every /v2/* request is logged by the API stage access log (JSON, no headers); the static assets carry nothing to investigate. A standard-log bucket would add S3 resources for no record worth keeping.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The distribution uses its *.cloudfront.net name and certificate, on which CloudFront sets the TLS policy; a custom domain brings its own certificate and TLSv1.2_2021.',
      },
    );

    const deployment = new BucketDeployment(this, 'Deploy', {
      sources: [consoleSource(props.assetsDirectory ?? join(props.projectRoot, CONSOLE_DIST), Stage.of(this)?.outdir ?? '.')],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // The previous build's files go: a stale chunk must not be served after a deployment.
      prune: true,
      memoryLimit: 256,
    });
    acknowledgeDeploymentHandler(this, deployment, this.bucket);
  }
}

/**
 * The deployment's copier is CDK's own singleton function (at the stack's root, shared by every
 * BucketDeployment of the stack) that runs at deployment only: its role and runtime are CDK's.
 */
function acknowledgeDeploymentHandler(scope: Construct, deployment: BucketDeployment, bucket: Bucket): void {
  const stack = Stack.of(scope);
  const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
  // cdk-nag names the CDK assets bucket with the stack's account and region, or their pseudo parameters when the stack has none.
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const wildcards = [
    'Action::s3:GetObject*',
    'Action::s3:GetBucket*',
    'Action::s3:List*',
    'Action::s3:DeleteObject*',
    'Action::s3:Abort*',
    `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*`,
    `Resource::<${bucketId}.Arn>/*`,
    'Resource::*',
  ];
  const handlers = stack.node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  for (const target of [deployment.handlerRole, ...handlers]) {
    Validations.of(target).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's BucketDeployment handler logs with the basic execution role; it runs only while CloudFormation deploys the console's assets.",
      },
      ...wildcards.map((finding) => ({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          "CDK's BucketDeployment grants: read of the CDK assets bucket's objects (the console build's zip), and write/delete of the console bucket's objects (prune), which are per object (`/*`) by nature; `Resource::*` is CloudFront's CreateInvalidation, which the handler needs after the copy.",
      })),
      {
        id: 'AwsSolutions-L1',
        reason: "The BucketDeployment handler's runtime (Python) is chosen by the CDK release, not by this construct; it runs only at deployment.",
      },
    );
  }
}

/** CSP, HSTS (two years, subdomains), nosniff, DENY, no-referrer; `override`: over the origin's own. */
function securityHeadersPolicy(scope: Construct, id: string, override: boolean): ResponseHeadersPolicy {
  return new ResponseHeadersPolicy(scope, id, {
    comment: `Portcullis console${override ? '' : ' API'}: strict CSP, HSTS, nosniff, DENY, no-referrer`,
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: CONSOLE_CSP, override },
      strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override },
      contentTypeOptions: { override },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override },
    },
  });
}

/**
 * The SPA fallback, for the assets' behaviour only (viewer request): a path whose last segment has no
 * dot is a route of the console (`/accounts/acc_1`), served as /index.html, status 200; a path with
 * one is a file (`/assets/app-3f2a.js`), and a missing file stays S3's 403 rather than a page that
 * would be parsed as script. `/v2/*` never reaches this function.
 */
export const SPA_FALLBACK_CODE = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** The built console, or a placeholder page written into the cloud assembly's directory when there is no build yet. */
function consoleSource(directory: string, assemblyDirectory: string): ISource {
  if (existsSync(join(directory, 'index.html'))) return Source.asset(directory);
  const placeholder = join(assemblyDirectory, 'console-placeholder');
  mkdirSync(placeholder, { recursive: true });
  writeFileSync(
    join(placeholder, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portcullis</title></head><body><h1>Portcullis</h1><p>The console is not built in this deployment; the API is under <code>/v2/</code>.</p></body></html>\n',
  );
  return Source.asset(placeholder);
}
