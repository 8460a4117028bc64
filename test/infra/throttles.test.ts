/**
 * The throttles are the deployment's (SPEC §6): the sign-in routes have token buckets of their own,
 * so a flood on a public route (signup, the docs) cannot starve sign-ins; every budget is a prop.
 */
import { describe, expect, it } from 'vitest';
import { manifest } from '#shared/http/manifest.ts';
import { DEFAULT_ROUTE_THROTTLES } from '#infra/throttles.ts';
import { resourcesOfType, synthesize, type CfnResource } from './synth.ts';

type RouteSettings = Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;

const stageOf = (resources: Record<string, CfnResource>): CfnResource => {
  const [stage, ...others] = Object.values(resources);
  if (!stage || others.length > 0) throw new Error('expected exactly one stage');
  return stage;
};

const SIGN_IN_ROUTES = ['POST /v2/user/authenticate', 'POST /v2/system/authenticate/user', 'POST /v2/auth/login', 'POST /v2/auth/mfa', 'POST /v2/auth/refresh'];

describe('API throttles', () => {
  const { template, containersOf } = synthesize({ stage: 'prod' });
  const stage = stageOf(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'));
  const settings = stage.Properties.RouteSettings as RouteSettings;

  it('gives each sign-in route a token bucket of its own, apart from the stage default that signup and the rest draw from', () => {
    for (const key of SIGN_IN_ROUTES) {
      expect(settings[key], key).toEqual({
        ThrottlingRateLimit: DEFAULT_ROUTE_THROTTLES[key]?.rateLimit,
        ThrottlingBurstLimit: DEFAULT_ROUTE_THROTTLES[key]?.burstLimit,
      });
    }
    expect(settings['POST /v2/user/authenticate']).toEqual({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 });
    // Signup is public and anonymous: a small bucket of its own, so flooding it drains neither the
    // sign-in buckets nor the stage default the operators' routes use.
    expect(settings['POST /v2/signup']).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
  });

  it('names only route keys the API has, and deploys the stage after the routes', () => {
    const routeKeys = new Set(Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((route) => String(route.Properties.RouteKey)));
    expect(Object.keys(settings).filter((key) => !routeKeys.has(key))).toEqual([]);
    const stageResource = template.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[] }>;
    const [stageDependsOn] = Object.values(stageResource)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Stage')
      .map((resource) => new Set(resource.DependsOn ?? []));
    const routeIds = Object.keys(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
    // On the route itself, or on the nested stack that holds it: CloudFormation completes a nested
    // stack, every route in it, before it starts what depends on the stack.
    expect(routeIds.filter((id) => !containersOf(id).some((container) => stageDependsOn?.has(container)))).toEqual([]);
    expect(manifest.length).toBe(routeIds.length);
  });

  it('takes the stage default and per-route throttles as props, merged over the defaults', () => {
    const tuned = synthesize(
      { stage: 'dev' },
      {
        props: {
          throttleRateLimit: 20,
          throttleBurstLimit: 40,
          routeThrottles: { 'POST /v2/auth/login': { rateLimit: 7, burstLimit: 9 }, 'GET /v2/me': { rateLimit: 3, burstLimit: 6 } },
        },
      },
    );
    const tunedStage = stageOf(resourcesOfType(tuned.template, 'AWS::ApiGatewayV2::Stage'));
    const tunedSettings = tunedStage.Properties.RouteSettings as RouteSettings;
    expect(tunedStage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    expect(tunedSettings['POST /v2/auth/login']).toEqual({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 });
    expect(tunedSettings['GET /v2/me']).toEqual({ ThrottlingRateLimit: 3, ThrottlingBurstLimit: 6 });
    expect(tunedSettings['POST /v2/user/authenticate']).toEqual({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 });
  });

  it('refuses a route key the API does not have and a throttle that is not a whole number ≥ 1', () => {
    const build = (routeThrottles: Record<string, { rateLimit: number; burstLimit: number }>) => () =>
      synthesize({ stage: 'dev' }, { props: { routeThrottles } });
    expect(build({ 'POST /v2/nowhere': { rateLimit: 1, burstLimit: 1 } })).toThrow(/not a route key/);
    expect(build({ 'POST /v2/auth/login': { rateLimit: 0, burstLimit: 1 } })).toThrow(/rateLimit must be a whole number/);
    expect(build({ 'POST /v2/auth/login': { rateLimit: 1, burstLimit: 1.5 } })).toThrow(/burstLimit must be a whole number/);
  });
});
