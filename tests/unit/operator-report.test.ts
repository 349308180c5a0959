import { describe, expect, it } from 'vitest';
import { failedRunOf, lastRunOf, lastRunSchema, runOutcome, type PublishSummary } from '../../functions/core/publish/run-summary.js';
import { ago, statusLines, type StatusReport } from '../../functions/cli/operator/status-report.js';
import { exitCodeOfRun, summaryLines } from '../../functions/cli/run-report.js';

const STARTED = new Date('2026-12-01T07:00:00.000Z');
const FINISHED = new Date('2026-12-01T07:00:12.500Z');

function summary(overrides: Partial<PublishSummary> = {}): PublishSummary {
  return {
    runId: 'run-1',
    digests: 41,
    created: 2,
    updated: 1,
    unchanged: 38,
    held: { 'first-fetch': 0, 'too-old': 0 },
    sources: { polled: 0, newItems: 0, failing: [] },
    articleErrors: 0,
    filesWritten: 8,
    filesUnchanged: 120,
    mail: { sent: 120, alreadySent: 0, failed: 0, deferred: 0, stale: 0, editions: 1, inDoubt: [] },
    ...overrides,
  };
}

describe('run outcome (one rule for publish, run and status)', () => {
  it('is stopped when sending stopped, partial when something was refused, ok otherwise', () => {
    expect(runOutcome(summary())).toBe('ok');
    expect(runOutcome(summary({ articleErrors: 1 }))).toBe('partial');
    expect(
      runOutcome(
        summary({ sources: { polled: 2, newItems: 0, failing: [{ url: 'https://f.example/', status: 'active', message: '404' }] } }),
      ),
    ).toBe('partial');
    expect(runOutcome(summary({ mail: { ...summary().mail, failed: 1, stoppedBy: 'quota', deferred: 3 } }))).toBe('stopped');
    expect([exitCodeOfRun(summary()), exitCodeOfRun(summary({ articleErrors: 1 }))]).toEqual([0, 3]);
    expect(exitCodeOfRun(summary({ mail: { ...summary().mail, stoppedBy: 'throttling' } }))).toBe(75);
  });
});

describe('the last-run record', () => {
  it('keeps counts and the first five problems, each one short line', () => {
    const failing = Array.from({ length: 7 }, (_, index) => ({
      url: `https://feed${index}.example/`,
      status: 'active',
      message: `HTTP 50${index}\nretry`,
    }));
    const record = lastRunOf(summary({ articleErrors: 2, sources: { polled: 9, newItems: 4, failing } }), STARTED, FINISHED, true);
    expect(record).toMatchObject({
      runId: 'run-1',
      startedAt: '2026-12-01T07:00:00.000Z',
      finishedAt: '2026-12-01T07:00:12.500Z',
      outcome: 'partial',
      digests: { total: 41, created: 2, updated: 1 },
      mail: { queued: true, sent: 120, inDoubt: 0 },
      sources: { polled: 9, newItems: 4, failing: 7 },
    });
    expect(record.problems).toEqual([
      '2 article(s) skipped',
      'feed https://feed0.example/: HTTP 500 retry',
      'feed https://feed1.example/: HTTP 501 retry',
      'feed https://feed2.example/: HTTP 502 retry',
      'feed https://feed3.example/: HTTP 503 retry',
    ]);
    expect(lastRunSchema.parse(JSON.parse(JSON.stringify(record)))).toEqual(record);
    expect(JSON.stringify(record).length).toBeLessThan(1200);
  });

  it('records a failed run with its error, cut to one line of at most 200 characters', () => {
    const record = failedRunOf('run-2', new TypeError(`bad ${'x'.repeat(300)}\nstack`), STARTED, FINISHED);
    expect(record.outcome).toBe('failed');
    expect(record.problems).toHaveLength(1);
    expect(record.problems[0]).toMatch(/^run failed: TypeError: bad x+…$/);
    expect(record.problems[0]).toHaveLength(200);
  });
});

describe('summary lines', () => {
  it('say "queued for the senders" for the deployed publisher, and "would be" for a dry run', () => {
    expect(summaryLines(summary(), { queued: true })).toEqual([
      'Digests: 2 new, 1 updated, 38 unchanged (41 in the archive)',
      'Files:   8 written, 120 unchanged',
      'Mail:    120 queued for the senders, 0 already sent',
    ]);
    expect(summaryLines(summary(), { dryRun: true }).slice(1)).toEqual([
      'Files:   8 would be written, 120 unchanged',
      'Mail:    120 would be sent, 0 already sent',
    ]);
    expect(summaryLines(summary({ held: { 'first-fetch': 1, 'too-old': 2 } }))[3]).toBe(
      "Held:    3 new digest(s) published but not mailed (1 from a feed's first fetch, 2 too old when first seen)",
    );
  });
});

describe('gazette status lines', () => {
  const now = new Date('2026-12-01T10:00:00.000Z');
  const report: StatusReport = {
    stack: { name: 'Gazette', status: 'UPDATE_COMPLETE', region: 'eu-west-1' },
    lastRun: { ok: true, value: lastRunOf(summary(), STARTED, FINISHED, true) },
    subscribers: { ok: true, value: { confirmed: 1200, pending: 3, unsubscribed: 40, bounced: 2 } },
    sending: {
      ok: true,
      value: {
        max24HourSend: 50_000,
        sentLast24Hours: 1_300,
        maxSendRate: 14,
        lastTwoWeeks: { deliveryAttempts: 20_000, bounces: 80, complaints: 30, rejects: 0 },
      },
    },
    queue: { ok: true, value: { send: { visible: 12, inFlight: 2, delayed: 0 }, deadLetter: { visible: 1, inFlight: 0, delayed: 0 } } },
  };

  it('reads as one line or two per part, warnings marked', () => {
    expect(statusLines(report, now)).toEqual([
      'Stack:       Gazette (eu-west-1), UPDATE_COMPLETE',
      'Last run:    2026-12-01 07:00 UTC, 3 h ago (run run-1): ok, took 12.5 s',
      '             2 new, 1 updated digest(s) (41 on the site); 8 file(s) written; mail: 120 queued for the senders, 0 already sent',
      'Subscribers: 1,200 confirmed, 3 pending, 40 unsubscribed, 2 bounced, 0 complained (1,245 in all)',
      'Sending:     1,300 of 50,000 sent in the last 24 h (2.6 % of the quota), at most 14 mails/s',
      '             last 14 days: 20,000 sent, bounces 0.40 %, complaints 0.150 %, 0 rejected by SES',
      '             ! complaint rate at or above 0.1 %: SES reviews accounts from here',
      'Send queue:  12 waiting, 2 in flight, 0 held back; dead-letter queue: 1',
      "             ! messages in the dead-letter queue were never sent: see why in the sender's log, then redrive them",
    ]);
  });

  it('says what is missing instead of failing the whole report', () => {
    const lines = statusLines(
      { ...report, lastRun: { ok: true, value: undefined }, sending: { ok: false, error: 'AccessDenied: not allowed' } },
      now,
    );
    expect(lines[1]).toBe('Last run:    none recorded yet (the first scheduled run, or gazette run, records one)');
    expect(lines).toContain('Sending:     unavailable: AccessDenied: not allowed');
    expect(statusLines({ ...report, lastRun: { ok: true, value: 'unreadable' } }, now)[1]).toMatch(/another version of Gazette/);
  });

  it('words the time since the last run as a reader would', () => {
    expect(ago(new Date('2026-12-01T09:59:50Z'), now)).toBe('just now');
    expect(ago(new Date('2026-12-01T09:48:00Z'), now)).toBe('12 min ago');
    expect(ago(new Date('2026-11-30T10:00:00Z'), now)).toBe('24 h ago');
    expect(ago(new Date('2026-11-27T10:00:00Z'), now)).toBe('4 d ago');
  });
});
