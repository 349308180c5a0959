/**
 * Builds the Gazette app the way `cdk synth` does, for infra tests: the feature flags from cdk.json
 * (a test App does not read cdk.json), no asset bundling (`aws:cdk:bundling-stacks: []`, so no esbuild
 * run), the real handlers' paths, settings through the real `loadSettings`.
 */
import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadSettings } from '../../infra/config.js';
import { GazetteStack } from '../../infra/gazette-stack.js';

/** cdk.json's `context` (feature flags, and any `gazette:` settings an operator keeps there). */
export const CDK_JSON_CONTEXT: Record<string, unknown> = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

/** A synthesised Gazette stack. */
export interface SynthesisedGazette {
  app: App;
  stack: GazetteStack;
  template: Template;
  nag: AwsSolutionsChecks;
}

/**
 * Creates the app with cdk.json's context plus `context` (e.g. `{'gazette:senderEmail': …}`) and the
 * AwsSolutions checks registered as in infra/app.ts. The template is synthesised on first use (and
 * cached by the App), so a test can still change the tree, or call `app.synth()` itself, before that.
 */
export function synthGazette(context: Record<string, unknown>): SynthesisedGazette {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context, 'aws:cdk:bundling-stacks': [] } });
  const settings = loadSettings(app.node.getAllContext());
  const stack = new GazetteStack(app, 'Gazette', { settings });
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  let template: Template | undefined;
  return {
    app,
    stack,
    nag,
    get template() {
      template ??= Template.fromStack(stack);
      return template;
    },
  };
}

/** Template resources of one CloudFormation type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, CfnResourceJson> {
  return template.findResources(type) as Record<string, CfnResourceJson>;
}

/** The parts of a template resource the tests read. */
export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** Logical ids a value refers to through Ref or Fn::GetAtt (anywhere inside it). */
export function referencedIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string' && !inner.startsWith('AWS::')) found.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') found.add(inner[0]);
      else referencedIds(inner, found);
    }
  }
  return found;
}

/** The single logical id of `type` whose id starts with `prefix` (construct path without separators). */
export function logicalIdOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}
