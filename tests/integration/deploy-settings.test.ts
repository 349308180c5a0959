/**
 * Deploy settings seen from the real publish handler against the emulators: what the stack sets (or
 * leaves out) of the publisher's environment changes what a run publishes.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/shared/env-names.js';
import { createHarness, type Harness } from './harness.js';

const open: Harness[] = [];
afterEach(() => {
  for (const harness of open.splice(0)) harness.close();
});

describe('gazette:publishSeeds=false (no seeds folder in the environment)', () => {
  it('publishes the inbox only: the bundled seed article never becomes a digest', async () => {
    // An empty variable counts as unset, which is how the stack leaves it out.
    const harness = await createHarness({ variables: { [ENV.seedsDir]: '' } });
    open.push(harness);
    expect(harness.env.seedsDir).toBeUndefined();
    expect(await harness.invoke()).toMatchObject({ digests: 0, created: 0, filesWritten: 0 });

    await harness.clients.s3.send(
      new PutObjectCommand({
        Bucket: harness.names.bucket,
        Key: 'inbox/own.md',
        Body: '---\ntitle: Our own story\n---\n\nThe council approved the new library on Tuesday. Building starts in spring.\n',
      }),
    );
    expect(await harness.invoke()).toMatchObject({ digests: 1, created: 1 });
    expect((await harness.digests()).map((digest) => digest.sourceName)).toEqual(['inbox/own.md']);
  });
});
