import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { publishDigests } from '../../functions/core/publish/publish-digests.js';
import { memoryPublishWorld, RecordingMailer, TEST_PUBLISH_SETTINGS as settings, type MemoryPublishWorld } from '../fakes/index.js';

const seed = readFileSync(new URL('../../seeds/000_89c895b2b4859281.txt', import.meta.url), 'utf8');
const UNVERIFIED = 'Email address is not verified. The following identities failed the check in region US-EAST-1: news@example.com';

const readers = Array.from({ length: 5 }, (_, i) => ({ id: `sub-${i}`, email: `reader${i}@example.org`, status: 'confirmed' as const }));

/** A run over the seed and the five readers; `earlier` shares its archive and ledger (the next run). */
function world(mailer: RecordingMailer, earlier?: MemoryPublishWorld): MemoryPublishWorld {
  return memoryPublishWorld({
    files: { '000_seed.txt': seed },
    people: readers,
    mailer,
    ...(earlier ? { archive: earlier.archive, ledger: earlier.ledger } : {}),
  });
}

describe('a sender-side refusal (unverified identity, sending paused)', () => {
  it('stops the run with every claim released and the digest still to mail; after verification everyone gets it once', async () => {
    const refusing = new RecordingMailer(() => ({ kind: 'rejected-sender', detail: UNVERIFIED }));
    const first = world(refusing);
    const report = await publishDigests(first, settings);

    expect(report.mail).toMatchObject({ sent: 0, failed: 0, stoppedBy: 'sender-rejected', deferred: readers.length });
    expect(refusing.calls).toBe(1);
    expect(first.ledger.entries.size).toBe(0);
    const [digest] = [...first.archive.digests.values()];
    expect(digest?.mailStatus).toBe('pending');

    // The operator verifies the sender; the next run mails the whole list, once each.
    const working = new RecordingMailer();
    const second = world(working, first);
    const after = await publishDigests(second, settings);
    expect(after.mail).toMatchObject({ sent: readers.length, failed: 0 });
    expect(after.mail.stoppedBy).toBeUndefined();
    expect(working.sent.map((mail) => mail.to).sort()).toEqual(readers.map((reader) => reader.email).sort());
    expect((await publishDigests(world(new RecordingMailer(), first), settings)).mail.sent).toBe(0);
  });

  it('a refused recipient is the only one marked failed; the rest of the list is mailed', async () => {
    const mailer = new RecordingMailer((_call, mail) =>
      mail.to === 'reader2@example.org' ? { kind: 'rejected-recipient', detail: 'Address blacklisted.' } : undefined,
    );
    const run = world(mailer);
    const report = await publishDigests(run, settings);
    expect(report.mail).toMatchObject({ sent: readers.length - 1, failed: 1 });
    expect([...run.ledger.entries.values()].filter((entry) => entry.status === 'failed')).toHaveLength(1);
  });
});
