import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeCommand } from '../../functions/cli/commands/summarize.js';

const SEED = new URL('../../seeds/000_89c895b2b4859281.txt', import.meta.url).pathname;

/** Runs the command with in-memory streams and collects what it printed. */
async function run(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  stdin.end(input);
  const code = await summarizeCommand(args, { stdin, stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

const dir = mkdtempSync(join(tmpdir(), 'gazette-summarize-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STORY =
  'The city council of Riverton voted on Tuesday to build a new flood barrier along the Grey River. ' +
  'The barrier will cost about $310 million and take six years to finish. ' +
  'Mayor Ellen Hart said the vote was the most important decision in a generation. ' +
  'Opponents argued that the wall would cut the town off from its waterfront and hurt tourism. ' +
  'A group of residents said it will ask a court to review the decision. ' +
  'Engineers said the river had risen faster in the last five years than at any time since 1890. ' +
  'The national government has promised to pay half of the cost if the environment agency approves. ' +
  'Work on the first section could begin next spring near the railway bridge. ' +
  'Shop owners in the old town were divided about years of building work ahead. ' +
  'The council will publish the full design in March and hold three public meetings.';

describe('gazette summarize FILE', () => {
  it('prints the digest of the seed article as readable text', async () => {
    const { code, stdout, stderr } = await run([SEED]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^Chinese President Xi Jinping/);
    expect(lines[0]!.length).toBeLessThanOrEqual(90);
    expect(lines[2]).toBe('Summary');
    expect(stdout).toContain('\nKey points\n  - ');
    expect(stdout).toMatch(/\nKeywords: [\p{Ll}\p{N}][\p{Ll}\p{N} .'’-]*(, [\p{Ll}\p{N}][\p{Ll}\p{N} .'’-]*){2,5}\n/u);
    expect(stdout).toMatch(/\nReading time: article 1 min \(328 words\), digest 1 min\n$/);
  });

  it('prints JSON with --json under the same key names as --jsonl (title, summary, keyPoints, keywords)', async () => {
    const { code, stdout } = await run(['--json', SEED]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as Record<string, unknown>;
    expect(parsed['source']).toBe(SEED);
    expect(typeof parsed['title']).toBe('string');
    expect(Array.isArray(parsed['summary'])).toBe(true);
    expect((parsed['summary'] as string[]).length).toBeGreaterThanOrEqual(2);
    expect(parsed['articleWords']).toBe(328);
    expect(Object.keys(parsed).sort()).toEqual(
      ['articleReadingMinutes', 'articleWords', 'digestReadingMinutes', 'title', 'keyPoints', 'keywords', 'summary', 'source'].sort(),
    );
  });

  it('summarises several files, one JSON line each, and a refused one is exit 3 while the others print', async () => {
    const empty = join(dir, 'empty-too.txt');
    writeFileSync(empty, '');
    const { code, stdout, stderr } = await run(['--json', SEED, empty, SEED]);
    expect(code).toBe(3);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { source: string }).source),
    ).toEqual([SEED, SEED]);
    expect(stderr).toMatch(/^gazette summarize: .*empty-too\.txt: .+\n$/);
  });

  it('reads a Markdown file through the article parser and uses its title and tags', async () => {
    const path = join(dir, 'flood.md');
    writeFileSync(path, `---\ntitle: Riverton approves flood wall\ntags: [Floods]\n---\n\n${STORY}\n`);
    const { code, stdout } = await run(['--json', path]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { title: string; keywords: string[] };
    expect(parsed.title).toBe('Riverton approves flood wall');
    expect(parsed.keywords[0]).toBe('floods');
  });

  it('refuses an empty or missing file with exit 3 and a one-line message', async () => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const emptyRun = await run([empty]);
    expect(emptyRun.code).toBe(3);
    expect(emptyRun.stdout).toBe('');
    expect(emptyRun.stderr).toMatch(/^gazette summarize: .*empty\.txt: .+\n$/);
    const missing = await run([join(dir, 'nope.txt')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot read the file \(ENOENT\)/);
  });

  it('fails with exit 2 and the usage for bad arguments', async () => {
    expect((await run([])).code).toBe(2);
    const unknown = await run(['--frobnicate', SEED]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('usage: gazette summarize');
  });
});

describe('gazette summarize --jsonl', () => {
  it('writes one JSON object per input line and reports bad lines on stderr without stopping', async () => {
    const input = [
      JSON.stringify({ id: 'flood', article: STORY }),
      'this is not json',
      JSON.stringify({ id: 42, article: '   ' }),
      '',
      JSON.stringify({ id: 'no-article' }),
      JSON.stringify({ id: 'short', article: 'Dr. Smith met the U.S. president on Monday. They talked for an hour.' }),
    ].join('\n');
    const { code, stdout, stderr } = await run(['--jsonl'], input);
    expect(code).toBe(3);
    const outputs = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(outputs.map((o) => o['id'])).toEqual(['flood', 'short']);
    for (const output of outputs) {
      expect(Object.keys(output)).toEqual(['id', 'title', 'summary', 'keyPoints', 'keywords']);
    }
    expect((outputs[0]!['summary'] as string[]).length).toBeGreaterThanOrEqual(2);
    // A 250-word story: summary and key points together copy under 40 % of it (honest compression).
    const digestWords = [...(outputs[0]!['summary'] as string[]), ...(outputs[0]!['keyPoints'] as string[])].join(' ').split(/\s+/).length;
    expect(digestWords).toBeLessThan(0.4 * STORY.split(/\s+/).length);
    const errors = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: unknown; line: number; error: string });
    expect(errors.map((e) => [e.id, e.line])).toEqual([
      [null, 2],
      [42, 3],
      ['no-article', 5],
    ]);
    expect(errors[1]!.error).toMatch(/no text/);
  });

  it('exits 0 when every line succeeds', async () => {
    const input = `${JSON.stringify({ id: 'a', article: STORY })}\n${JSON.stringify({ id: 'b', article: STORY, title: 'Flood wall' })}\n`;
    const { code, stdout, stderr } = await run(['--jsonl'], input);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; title: string });
    expect(lines.map((l) => l.id)).toEqual(['a', 'b']);
    expect(lines[1]!.title).toBe('Flood wall');
  });
});
