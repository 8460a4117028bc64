/** Synthesizes the stack the way `cdk synth` does and reads what the infrastructure tests need from it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { FUNCTION_TAG, PROJECT_ROOT } from '#infra/constructs/api-function.ts';
import { buildApp } from '#infra/build-app.ts';
import type { PortcullisStack, PortcullisStackProps } from '#infra/portcullis-stack.ts';

type Json = Record<string, unknown>;

export interface CfnResource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Json;
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
}

export interface Synthesized {
  app: App;
  stack: PortcullisStack;
  template: Template;
}

/** The feature flags and settings of `cdk.json`, so the tests see the flags the CLI sees. */
export function cdkJsonContext(): Json {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Json };
  return cdkJson.context ?? {};
}

/** The SMS countries the tests deploy with (the context is required; `smsAllowedCountries: undefined` leaves it out). */
export const TEST_SMS_COUNTRIES = 'FR,DE,GB';

/**
 * Builds the app as `infra/app.ts` does, with extra context (`stage`, `issuer`, …; the required
 * `smsAllowedCountries` is `TEST_SMS_COUNTRIES` unless given). Bundling is skipped unless `bundle`
 * is set: the template is the same, only the code assets differ.
 */
export function synthesize(
  context: Json = {},
  options: { bundle?: boolean; outdir?: string; props?: Omit<Partial<PortcullisStackProps>, 'stage'> } = {},
): Synthesized {
  const app = new App({
    outdir: options.outdir,
    context: {
      ...cdkJsonContext(),
      // Skipping bundling, or else recording where each asset went, as the CLI does.
      ...(options.bundle ? { 'aws:cdk:enable-asset-metadata': true } : { 'aws:cdk:bundling-stacks': [] }),
      smsAllowedCountries: TEST_SMS_COUNTRIES,
      ...context,
    },
  });
  const stack = buildApp(app, options.props);
  return { app, stack, template: Template.fromStack(stack) };
}

export function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** Our functions (routes and authorizers) by manifest id, told apart from any CDK helper by their tag. */
export function portcullisFunctions(template: Template): Map<string, { logicalId: string; resource: CfnResource }> {
  const functions = new Map<string, { logicalId: string; resource: CfnResource }>();
  for (const [id, resource] of Object.entries(resourcesOfType(template, 'AWS::Lambda::Function'))) {
    const tags = (resource.Properties.Tags ?? []) as { Key: string; Value: string }[];
    const tag = tags.find((candidate) => candidate.Key === FUNCTION_TAG);
    if (tag) functions.set(tag.Value, { logicalId: id, resource });
  }
  return functions;
}

/** Every statement of every IAM policy attached to the function's execution role. */
export function statementsOf(template: Template, fn: CfnResource): Statement[] {
  const role = fn.Properties.Role as { 'Fn::GetAtt': [string, string] };
  const roleId = role['Fn::GetAtt'][0];
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref?: string }[]).some((ref) => ref.Ref === roleId))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOf = (statement: Statement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/** `{ "Fn::GetAtt": [id, "Arn"] }`, the way the template names a resource's ARN. */
export const arnOf = (id: string): Json => ({ 'Fn::GetAtt': [id, 'Arn'] });
