import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyRegularFilesCommand } from '../../infra/bundling.js';

describe('copying the seed folder into the Lambda bundle', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('carries regular files only: no symlinks (absolute or relative), FIFOs or subfolders', () => {
    const root = mkdtempSync(join(tmpdir(), 'gazette-bundle-'));
    made.push(root);
    const seeds = join(root, "seeds with 'quotes'");
    mkdirSync(seeds);
    writeFileSync(join(seeds, 'story.md'), '# A story\n\nIt happened.\n');
    writeFileSync(join(root, 'secret.env'), 'AWS_SECRET_ACCESS_KEY=not-for-readers\n');
    symlinkSync('/etc/passwd', join(seeds, 'passwd.txt'));
    symlinkSync('../secret.env', join(seeds, 'readme.txt'));
    execFileSync('mkfifo', [join(seeds, 'pipe.txt')]);
    mkdirSync(join(seeds, 'nested'));
    writeFileSync(join(seeds, 'nested', 'deep.md'), 'deep\n');

    const bundle = join(root, 'asset', 'seeds');
    execFileSync('bash', ['-c', copyRegularFilesCommand(seeds, bundle)], { timeout: 10_000 });

    expect(readdirSync(bundle)).toEqual(['story.md']);
    expect(lstatSync(join(bundle, 'story.md')).isFile()).toBe(true);
    expect(readFileSync(join(bundle, 'story.md'), 'utf8')).toContain('It happened.');
  });
});
