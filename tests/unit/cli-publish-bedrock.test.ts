/**
 * `gazette publish --summarizer bedrock` end to end: the real CLI command, the real Bedrock client with
 * its standard configuration from the environment (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME` pointed at the
 * loopback Converse stub, static fake credentials), the seed article, and the site it writes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishCommand } from '../../functions/cli/commands/publish.js';
import { EXIT_CODES } from '../../functions/cli/cli-errors.js';
import { type ConverseStub, converseBody, jsonReply, promptLines, startConverseStub } from '../fakes/converse-stub.js';
import { memoryIo } from '../fakes/memory-io.js';

const HEADLINE = 'Xi and Putin hold talks in Moscow and sign over 20 agreements';
const SDK_VARIABLES = ['AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;

let stub: ConverseStub;
let out: string;
const saved = new Map<string, string | undefined>();

beforeAll(async () => {
  stub = await startConverseStub();
  out = await mkdtemp(join(tmpdir(), 'gazette-bedrock-cli-'));
  for (const name of SDK_VARIABLES) saved.set(name, process.env[name]);
  process.env['AWS_ENDPOINT_URL_BEDROCK_RUNTIME'] = stub.endpoint;
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIDLOCALSTUB';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'local-stub-secret';
  process.env['AWS_REGION'] = 'eu-west-1';
});

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await stub.close();
  await rm(out, { recursive: true, force: true });
});

describe('gazette publish --summarizer bedrock', () => {
  it('publishes the model digest of the seed article, logging its tokens and cost', async () => {
    stub.replies.push((response, request) => {
      const lines = [...promptLines(request)];
      const cite = (phrase: string): number[] => lines.filter(([, text]) => text.includes(phrase)).map(([number]) => number);
      jsonReply(
        200,
        converseBody({
          headline: HEADLINE,
          summary: [
            'Chinese President Xi Jinping and Russian President Vladimir Putin held talks in Moscow on Thursday.',
            'The leaders signed a joint statement and witnessed the exchange of over 20 agreements.',
          ],
          keyPoints: [
            { text: 'Putin reiterated Russia’s support for the one-China principle', sentences: cite('one-China principle') },
            { text: 'Xi called for stronger collaboration through the Belt and Road Initiative', sentences: cite('Belt and Road') },
          ],
          keywords: ['china', 'russia', 'partnership'],
        }),
      )(response, request);
    });
    const io = memoryIo();
    const code = await publishCommand(['--seeds', 'seeds', '--out', out, '--no-mail', '--summarizer', 'bedrock', '--verbose'], io);

    expect(code).toBe(EXIT_CODES.ok);
    expect(stub.received).toHaveLength(1);
    expect(stub.received[0]!.url).toBe(`/model/${encodeURIComponent('amazon.nova-micro-v1:0')}/converse`);
    expect(stub.received[0]!.authorization).toContain('Credential=AKIDLOCALSTUB/');
    expect(io.out()).toContain(HEADLINE);
    expect(await readFile(join(out, 'site', 'feeds', 'rss.xml'), 'utf8')).toContain(HEADLINE);
    const logLine = io
      .err()
      .split('\n')
      .find((line) => line.startsWith('[info] model summary '));
    expect(JSON.parse(logLine!.slice('[info] model summary '.length))).toMatchObject({
      outcome: 'model',
      inputTokens: 812,
      outputTokens: 236,
    });
  });
});
