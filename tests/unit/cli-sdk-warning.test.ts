import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const GAZETTE = fileURLToPath(new URL('../../functions/cli/gazette.ts', import.meta.url));

describe('local commands and the AWS SDK', () => {
  it('print no NodeVersionSupportWarning when a command builds an SDK client', async () => {
    // `subscribers list --table` builds a DynamoDB client; the endpoint is a closed loopback port, so
    // the command fails at once with its own one-line error, after the SDK would have warned.
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', GAZETTE, 'subscribers', 'list', '--table', 'readers'], {
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_MAX_ATTEMPTS: '1',
      },
      timeout: 30_000,
    });
    const failure = (await run.then(
      () => {
        throw new Error('expected the command to fail against a closed port');
      },
      (error: unknown) => error,
    )) as { code: number; stderr: string };
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('gazette subscribers: ECONNREFUSED');
    expect(failure.stderr).not.toContain('NodeVersionSupportWarning');
  });
});
