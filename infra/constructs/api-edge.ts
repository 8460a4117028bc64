import { Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** The optional AWS WAF in front of the API (SPEC §6). */
export interface ApiWafProps {
  /**
   * ARN of an existing web ACL of scope CLOUDFRONT (those live in us-east-1 whatever the stack's
   * region), for a deployment that manages its WAF rules elsewhere.
   * @default - a web ACL with a rate-based rule per source IP is created here, which needs the stack
   * to be deployed in us-east-1 (`env.region`); elsewhere give this ARN instead
   */
  readonly webAclArn?: string;
  /**
   * Requests one source IP may send in any 5-minute window before WAF blocks it (rate-based rule);
   * only used when the web ACL is created here. At least 10 (WAF's minimum).
   * @default 1000
   */
  readonly requestsPerIpPerFiveMinutes?: number;
}

export interface ApiEdgeProps extends ApiWafProps {
  readonly api: IHttpApi;
}

/** Requests per IP per 5 minutes: ≈ 3/s sustained, far above a person signing in, far below a flood. */
export const DEFAULT_REQUESTS_PER_IP_PER_FIVE_MINUTES = 1000;

/**
 * A CloudFront distribution in front of the HTTP API with an AWS WAF web ACL on it. WAF cannot be
 * associated with an API Gateway HTTP API (only REST APIs, CloudFront, ALB, AppSync, Cognito, App
 * Runner, Amplify, Verified Access), so the web ACL sits on CloudFront, which sees the client's IP
 * for the rate-based rule. Nothing is cached: every request reaches the API with its headers
 * (Authorization, apikey), query and body; only Host is left out, which API Gateway needs as its own.
 * The distribution's default behaviour is the API; a web console served from S3 later takes its own
 * behaviour on the same distribution.
 */
export class ApiEdge extends Construct {
  readonly distribution: Distribution;
  /** The web ACL created here, when no ARN was given. */
  readonly webAcl: CfnWebACL | undefined;
  /** `https://<id>.cloudfront.net/` */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiEdgeProps) {
    super(scope, id);
    const limit = props.requestsPerIpPerFiveMinutes ?? DEFAULT_REQUESTS_PER_IP_PER_FIVE_MINUTES;
    if (!Number.isInteger(limit) || limit < 10) throw new Error(`waf.requestsPerIpPerFiveMinutes must be a whole number ≥ 10, not ${String(limit)}`);
    const region = Stack.of(this).region;
    if (!props.webAclArn && (Token.isUnresolved(region) || region !== 'us-east-1')) {
      throw new Error(
        'waf: a CLOUDFRONT web ACL can only be created in us-east-1. Deploy this stack with env.region us-east-1, or create the web ACL there and give its ARN as waf.webAclArn.',
      );
    }
    this.webAcl = props.webAclArn ? undefined : this.createWebAcl(limit);
    const webAclArn = props.webAclArn ?? this.webAcl?.attrArn;

    // `https://<api-id>.execute-api.<region>.amazonaws.com` → the host name.
    const apiDomain = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Portcullis API behind AWS WAF',
      webAclId: webAclArn,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
        // An API client does not follow a redirect with its POST body: plain HTTP is refused.
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // With caching disabled this policy forwards Authorization too.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Sign-in is global: the tenants choose which countries may receive SMS (and the deployment caps them); blocking viewers by country is theirs to add to the web ACL.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Every request that passes WAF is logged by the API stage access log (JSON, no headers); WAF keeps sampled requests and CloudWatch metrics of its rules. A standard-log bucket would add S3 resources to a stack near its limit.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The distribution uses its *.cloudfront.net name and certificate, on which CloudFront sets the TLS policy; a custom domain with its own certificate (TLSv1.2_2021) comes with the console distribution.',
      },
    );
  }

  private createWebAcl(limit: number): CfnWebACL {
    const metrics = (name: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name });
    return new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: metrics('portcullis-api'),
      rules: [
        {
          name: 'rate-per-source-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit, evaluationWindowSec: 300 } },
          visibilityConfig: metrics('portcullis-rate-per-ip'),
        },
      ],
    });
  }
}
