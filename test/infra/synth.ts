/**
 * Synthesizes the stack the way `cdk synth` does and reads what the infrastructure tests need from it.
 *
 * The routes live in nested stacks (one per area, infra/areas.ts), so a deployment is several
 * templates. The tests read them through one merged view (`mergeTemplates`): every resource of every
 * template under its own logical id, with each reference across templates (a nested stack's
 * parameter, a nested stack's output read by its parent) replaced by the value CloudFormation passes
 * for it. An assertion thus sees a function's grant on `{"Fn::GetAtt": [table, "Arn"]}` exactly as
 * when everything was one template, and never a parameter it could not check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, NestedStack, Stack, Stage, type CfnElement } from 'aws-cdk-lib';
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

/** A CloudFormation template as the cloud assembly holds it. */
export interface TemplateJson {
  Resources: Record<string, CfnResource & { DependsOn?: string | string[] }>;
  Parameters?: Record<string, unknown>;
  Outputs?: Record<string, { Value: unknown }>;
  [section: string]: unknown;
}

/** One template of a deployment: the root stack's or a nested stack's. */
export interface StackTemplate {
  /** The stack's construct path (`Portcullis-dev`, `Portcullis-dev/Default/Tenancy`). */
  path: string;
  /** Its file in the cloud assembly. */
  file: string;
  /** The `AWS::CloudFormation::Stack` resource that deploys it, in the parent's template; none for the root. */
  nestedStackResource?: { parent: StackTemplate; logicalId: string };
  json: TemplateJson;
  /** The template alone (CDK's assertions, cyclic dependency check included). */
  template: Template;
}

export interface Synthesized {
  app: App;
  stack: PortcullisStack;
  /** Every template of the stack merged into one (`mergeTemplates`). */
  template: Template;
  /** The root template first, then every nested stack's, as synthesized. */
  templates: StackTemplate[];
  /** The logical id and, outwards, the nested stack resources holding the resource (`containersOf`). */
  containersOf: (logicalId: string) => string[];
}

/** The feature flags and settings of `cdk.json`, so the tests see the flags the CLI sees. */
export function cdkJsonContext(): Json {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Json };
  return cdkJson.context ?? {};
}

/**
 * Resources one template may hold: CloudFormation refuses more than 500, and each area's nested stack
 * keeps a hundred spare for the routes still to come.
 */
export const RESOURCE_BUDGET = 400;

/** The SMS countries the tests deploy with (the context is required; `smsAllowedCountries: undefined` leaves it out). */
export const TEST_SMS_COUNTRIES = 'FR,DE,GB';

/** The e-mail sender the tests deploy with (the context `emailFrom` is required; `emailFrom: undefined` leaves it out). */
export const TEST_EMAIL = { from: 'Portcullis <no-reply@auth.example.test>' } as const;

/**
 * Builds the app as `infra/app.ts` does, with extra context (`stage`, `issuer`, …; the required
 * `smsAllowedCountries` is `TEST_SMS_COUNTRIES` and `emailFrom` is `TEST_EMAIL.from` unless given). Bundling is skipped unless `bundle`
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
      emailFrom: TEST_EMAIL.from,
      ...context,
    },
  });
  const stack = buildApp(app, options.props);
  const templates = stackTemplates(stack);
  return { app, stack, template: mergedTemplate(templates), templates, containersOf: (id) => containersOf(templates, id) };
}

/**
 * The templates of `stack` and of every stack nested in it, read from the cloud assembly (the app is
 * synthesized once, as `Template.fromStack` does). The root comes first, a parent before its children.
 */
export function stackTemplates(stack: Stack): StackTemplate[] {
  const stage = Stage.of(stack);
  if (!stage) throw new Error(`${stack.node.path} is in no app`);
  const assembly = stage.synth();
  const read = (file: string) => JSON.parse(readFileSync(join(assembly.directory, file), 'utf8')) as TemplateJson;
  const root: StackTemplate = { path: stack.node.path, file: stack.templateFile, json: read(stack.templateFile), template: Template.fromStack(stack) };
  const byStack = new Map<Stack, StackTemplate>([[stack, root]]);
  // findAll lists a parent before what it holds, so each nested stack's parent is already known.
  for (const nested of stack.node.findAll().filter((construct): construct is NestedStack => NestedStack.isNestedStack(construct))) {
    const parentStack = nested.nestedStackParent;
    const parent = parentStack && byStack.get(parentStack);
    if (!parentStack || !parent || !nested.nestedStackResource) throw new Error(`${nested.node.path}: no parent template`);
    const json = read(nested.templateFile);
    byStack.set(nested, {
      path: nested.node.path,
      file: nested.templateFile,
      nestedStackResource: { parent, logicalId: parentStack.getLogicalId(nested.nestedStackResource) },
      json,
      template: Template.fromJSON(json),
    });
  }
  return [...byStack.values()];
}

/** `stackTemplates(stack)` merged into one template (`mergeTemplates`). */
export function mergedTemplate(stackOrTemplates: Stack | readonly StackTemplate[]): Template {
  const templates = Stack.isStack(stackOrTemplates) ? stackTemplates(stackOrTemplates) : stackOrTemplates;
  return Template.fromJSON(mergeTemplates(templates));
}

/**
 * The templates as one: the root's sections, and the resources of all of them under their own logical
 * ids (a logical id used in two templates is an error: the view would be ambiguous). In a nested
 * template, `{"Ref": parameter}` becomes the value the parent's `AWS::CloudFormation::Stack` resource
 * passes for it; in a parent, `{"Fn::GetAtt": [nested stack, "Outputs.X"]}` becomes the value of the
 * nested template's output X; both resolved again until they name a resource. A reference that cannot
 * be resolved so is an error, never left for an assertion to pass over.
 */
export function mergeTemplates(templates: readonly StackTemplate[]): TemplateJson {
  const [root] = templates;
  if (!root || root.nestedStackResource) throw new Error('the root template comes first');
  const nestedAt = new Map(templates.flatMap((t) => (t.nestedStackResource ? [[`${t.nestedStackResource.parent.path}|${t.nestedStackResource.logicalId}`, t] as const] : [])));
  const resolve = (value: unknown, home: StackTemplate): unknown => {
    if (Array.isArray(value)) return value.map((item) => resolve(item, home));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref' && typeof argument === 'string' && home.nestedStackResource && argument in (home.json.Parameters ?? {})) {
      const { parent, logicalId: id } = home.nestedStackResource;
      const passed = (parent.json.Resources[id]?.Properties.Parameters as Record<string, unknown> | undefined) ?? {};
      if (!(argument in passed)) throw new Error(`${home.path}: parameter ${argument} is not passed by ${id}`);
      return resolve(passed[argument], parent);
    }
    if (entries.length === 1 && key === 'Fn::GetAtt' && Array.isArray(argument) && String(argument[1]).startsWith('Outputs.')) {
      const nested = nestedAt.get(`${home.path}|${String(argument[0])}`);
      const output = nested?.json.Outputs?.[String(argument[1]).slice('Outputs.'.length)];
      if (!nested || !output) throw new Error(`${home.path}: ${JSON.stringify(value)} names no output of a nested template`);
      return resolve(output.Value, nested);
    }
    return Object.fromEntries(entries.map(([name, inner]) => [name, resolve(inner, home)]));
  };
  const resources: TemplateJson['Resources'] = {};
  for (const home of templates) {
    const extra = Object.keys(home.json).filter((section) => !['Resources', 'Parameters', 'Outputs', 'Description', 'AWSTemplateFormatVersion', 'Rules'].includes(section));
    if (home !== root && extra.length > 0) throw new Error(`${home.path}: the merged view does not handle ${extra.join(', ')}`);
    for (const [id, resource] of Object.entries(home.json.Resources)) {
      // The CLI's version report (CDKMetadata) is in every template; one is enough for the view.
      if (home !== root && resource.Type === 'AWS::CDK::Metadata') continue;
      if (id in resources) throw new Error(`logical id ${id} is in two templates`);
      resources[id] = resolve(resource, home) as TemplateJson['Resources'][string];
    }
  }
  const merged: TemplateJson = { ...root.json, Resources: resources, ...(root.json.Outputs ? { Outputs: resolve(root.json.Outputs, root) as TemplateJson['Outputs'] } : {}) };
  // Whatever is still referred to must exist in the merged view: a resource, a root parameter, or a
  // pseudo parameter (a leftover nested parameter, e.g. inside an Fn::Sub, would be a hole).
  const known = (name: string) => name in resources || name in (root.json.Parameters ?? {}) || name.startsWith('AWS::');
  const check = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(check);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      const named: unknown = key === 'Ref' ? inner : key === 'Fn::GetAtt' && Array.isArray(inner) ? (inner as unknown[])[0] : undefined;
      if (typeof named === 'string' && !known(named)) throw new Error(`the merged view refers to ${named}, which it does not have`);
      if (key === 'Fn::Sub') {
        const [text, variables = {}] = Array.isArray(inner) ? (inner as [string, Record<string, unknown>?]) : [String(inner)];
        for (const [, name = ''] of text.matchAll(/\$\{([^}!.]+)[^}]*\}/g)) {
          if (!(name in variables) && !known(name)) throw new Error(`the merged view refers to \${${name}}, which it does not have`);
        }
      }
      check(inner);
    }
  };
  check(merged.Resources);
  check(merged.Outputs);
  return merged;
}

/** The resource's logical id, then the logical ids of the nested stack resources that hold it, innermost first. */
export function containersOf(templates: readonly StackTemplate[], logicalId: string): string[] {
  let home = templates.find((t) => logicalId in t.json.Resources);
  if (!home) throw new Error(`no resource ${logicalId}`);
  const ids = [logicalId];
  while (home.nestedStackResource) {
    ids.push(home.nestedStackResource.logicalId);
    home = home.nestedStackResource.parent;
  }
  return ids;
}

/**
 * The logical id of a construct's resource in the template that holds it: the root's, or its nested
 * stack's (the merged view keeps those ids). `stack` is the deployment the construct must be part of.
 */
export function logicalId(stack: Stack, construct: IConstruct): string {
  const home = Stack.of(construct);
  if (home !== stack && !home.node.scopes.includes(stack)) throw new Error(`${construct.node.path} is not in ${stack.node.path}`);
  return home.getLogicalId(construct.node.defaultChild as CfnElement);
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
