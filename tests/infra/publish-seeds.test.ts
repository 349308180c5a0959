import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/shared/env-names.js';
import { loadSettings } from '../../infra/config.js';
import { Publisher } from '../../infra/constructs/publisher.js';
import { CDK_JSON_CONTEXT, logicalIdOf, synthGazette } from './synth.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * What the publisher's deployed code folder holds: the construct bundled for real (esbuild and the
 * copy hook run, as in `cdk deploy`), in a stack of its own so only this one function is built.
 */
function bundledPublisherFiles(publishSeeds: boolean): { files: string[]; seeds: string[]; code: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'gazette-seeds-'));
  made.push(outdir);
  const app = new App({ outdir, context: CDK_JSON_CONTEXT });
  new Publisher(new Stack(app, 'Seeds'), 'Publisher', { schedule: 'rate(1 day)', timeZone: 'UTC', publishSeeds });
  app.synth();
  const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  const code = join(outdir, assets[0]!);
  const seeds = join(code, 'seeds');
  return {
    files: readdirSync(code).sort(),
    seeds: existsSync(seeds) ? readdirSync(seeds) : [],
    code: readFileSync(join(code, 'index.mjs'), 'utf8'),
  };
}

describe('gazette:publishSeeds', () => {
  it('is on by default and reads true/false from -c', () => {
    const sender = { ...CDK_JSON_CONTEXT, 'gazette:senderEmail': 'news@example.com' };
    expect(loadSettings(sender).publishSeeds).toBe(true);
    expect(loadSettings({ ...sender, 'gazette:publishSeeds': 'false' }).publishSeeds).toBe(false);
    expect(loadSettings({ ...sender, 'gazette:publishSeeds': false }).publishSeeds).toBe(false);
    expect(() => loadSettings({ ...sender, 'gazette:publishSeeds': 'sometimes' })).toThrow(
      'gazette:publishSeeds must be true or false (got "sometimes")',
    );
  });

  it('false: the publisher is not told of a seeds folder', () => {
    const { template } = synthGazette({ 'gazette:senderEmail': 'news@example.com', 'gazette:publishSeeds': 'false' });
    const publisher = logicalIdOf(template, 'AWS::Lambda::Function', 'PublisherHandler');
    const resource = template.toJSON().Resources[publisher] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    expect(Object.keys(resource.Properties.Environment.Variables)).not.toContain(ENV.seedsDir);
    expect(Object.keys(resource.Properties.Environment.Variables)).toContain(ENV.siteBucket);
  });

  it('decides whether the seed articles are in the deployed code at all', () => {
    const withSeeds = bundledPublisherFiles(true);
    expect(withSeeds.files).toContain('seeds');
    expect(withSeeds.seeds).toEqual(readdirSync('seeds'));
    const without = bundledPublisherFiles(false);
    expect(without.files).not.toContain('seeds');
    // The operator commands' clients (CloudFormation, Lambda) share aws-clients.ts but stay out of the bundle.
    expect(without.code).toContain('SendRawEmail');
    expect(without.code).not.toContain('DescribeStacks');
    expect(without.code).not.toContain('GetFunctionConfiguration');
    // cdk deploy applies the bundle aliases too: linkedom's CSS parser is replaced by the shim.
    expect(without.code).toContain('style sheets are not parsed in the Gazette Lambda bundles');
    expect(without.code).toContain('dom-serializer is not in the Gazette Lambda bundles');
    expect(without.code).not.toContain('auto,content,max-content,min-content,fit-content'); // a cssomnom table
    // The handler itself is there either way.
    expect(without.files.filter((name) => name.startsWith('index.'))).toEqual(withSeeds.files.filter((name) => name.startsWith('index.')));
  });
});
