import { afterEach, describe, expect, it, vi } from 'vitest';
import { coreLog, createLogger, redactAddresses } from '../../functions/adapters/aws/powertools.js';

describe('logs never carry an email address', () => {
  afterEach(() => vi.restoreAllMocks());

  it('redacts addresses in messages, data and error messages and stacks as written by Powertools', () => {
    const lines: string[] = [];
    // Powertools writes errors to stderr and the rest to stdout, through a Console of its own.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    }
    const logger = createLogger('test');
    const sesError = new Error(
      'Email address is not verified. The following identities failed the check in region US-EAST-1: Reader.One+news@Example.org',
    );
    coreLog(logger)('error', 'send failed for ann@example.com', { error: String(sesError), cause: sesError, to: 'bob@example.net' });
    const output = lines.join('');
    expect(output).toContain('send failed for [address]');
    expect(output).toContain('US-EAST-1: [address]');
    expect(output).not.toMatch(/@example\.(org|com|net)/iu);
    const entry = JSON.parse(output.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'ERROR', to: '[address]' });
  });

  it('keeps text that only looks a little like an address', () => {
    expect(redactAddresses('subscriber 0123abcd at 12:30, user@localhost, @handle')).toBe(
      'subscriber 0123abcd at 12:30, user@localhost, @handle',
    );
    expect(redactAddresses('<ann@example.org>')).toBe('<[address]>');
    // Module paths in stacks ("node_modules/@vitest/runner/dist/index.js") are not addresses.
    expect(redactAddresses('at file:///app/node_modules/@aws-sdk/client-ses/dist/index.js:12')).toBe(
      'at file:///app/node_modules/@aws-sdk/client-ses/dist/index.js:12',
    );
  });
});
