/**
 * What one publish run did, in two sizes: the {@link PublishSummary} (counts instead of the report's
 * lists: the handler's return value and log line, what `gazette run` prints) and the smaller
 * {@link LastRun} the publisher records for `gazette status`. One place decides what counts as a good,
 * partial or stopped run, so the exit code of `gazette publish`, the exit code of `gazette run` and
 * the outcome `gazette status` shows never disagree. Pure.
 */
import * as z from '../zod.js';
import type { SourcePollReport } from '../sources/poll-sources.js';
import type { MailReport, PublishReport } from './publish-digests.js';

/** What an invocation of the publisher returns (also its log line). */
export interface PublishSummary {
  runId: string;
  skipped?: 'lease-busy';
  /** Digests on the site after the run. */
  digests: number;
  created: number;
  updated: number;
  /** Articles whose digest was already stored as it is (or unpublished). */
  unchanged: number;
  /** New digests from feed items published but not mailed, by reason. */
  held: PublishReport['held'];
  /** The feed sources polled by this run: how many, new items, and the failing ones by URL. */
  sources: { polled: number; newItems: number; failing: { url: string; status: string; message: string }[] };
  articleErrors: number;
  filesWritten: number;
  filesUnchanged: number;
  mail: MailReport;
}

/** The summary of a run's report and its feed polls. */
export function summaryOf(runId: string, report: PublishReport, sources: readonly SourcePollReport[]): PublishSummary {
  return {
    runId,
    ...(report.skipped ? { skipped: report.skipped } : {}),
    digests: report.published,
    created: report.created.length,
    updated: report.updated.length,
    unchanged: report.unchanged,
    held: report.held,
    sources: {
      polled: sources.length,
      newItems: sources.reduce((sum, source) => sum + source.newItems, 0),
      failing: sources
        .filter((source) => source.outcome === 'error')
        .map((source) => ({ url: source.url, status: source.status, message: source.message ?? 'failed' })),
    },
    articleErrors: report.articleErrors.length,
    filesWritten: report.site.written.length,
    filesUnchanged: report.site.unchanged.length,
    mail: report.mail,
  };
}

/**
 * How a finished run went: `stopped` when sending had to stop (quota, throttling, the deadline, a
 * refused sender, a send in doubt: the next run carries on), `partial` when some articles, recipients
 * or feeds failed and the rest was published, `ok` otherwise.
 */
export type RunOutcome = 'ok' | 'partial' | 'stopped';

/** The outcome of a finished (not skipped) run. */
export function runOutcome(summary: Pick<PublishSummary, 'articleErrors' | 'sources' | 'mail'>): RunOutcome {
  if (summary.mail.stoppedBy) return 'stopped';
  if (summary.articleErrors > 0 || summary.mail.failed > 0 || summary.sources.failing.length > 0) return 'partial';
  return 'ok';
}

/** Problems a last-run record keeps at most, and the length of each: the record stays a few hundred bytes. */
const MAX_PROBLEMS = 5;
const MAX_PROBLEM_LENGTH = 200;

const count = z.number().check(z.int(), z.minimum(0));

/**
 * The record of the latest run that did something (a run turned away by the lease leaves it alone),
 * or that failed. Parsed with this schema when read back, so a record written by another version reads
 * as unreadable rather than as wrong numbers.
 */
export const lastRunSchema = z.object({
  runId: z.string(),
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  outcome: z.enum(['ok', 'partial', 'stopped', 'failed']),
  digests: z.object({ total: count, created: count, updated: count }),
  files: z.object({ written: count, unchanged: count }),
  mail: z.object({
    /** Whether `sent` counts recipients handed to the send queue (the deployed stack) rather than mails sent. */
    queued: z.boolean(),
    sent: count,
    alreadySent: count,
    failed: count,
    deferred: count,
    inDoubt: count,
    stoppedBy: z.optional(z.string()),
  }),
  sources: z.object({ polled: count, newItems: count, failing: count }),
  articleErrors: count,
  /** The first few problems, one line each: a failing feed, the error that stopped the run. */
  problems: z.array(z.string()).check(z.maxLength(MAX_PROBLEMS)),
});

/** One recorded run. */
export type LastRun = z.output<typeof lastRunSchema>;

function shortened(line: string): string {
  const single = line.replace(/\s+/g, ' ').trim();
  return single.length > MAX_PROBLEM_LENGTH ? `${single.slice(0, MAX_PROBLEM_LENGTH - 1)}…` : single;
}

/**
 * The record of a finished run, from its summary and when it started and ended; `queued` when the
 * publisher hands its mail to a send queue.
 */
export function lastRunOf(summary: PublishSummary, startedAt: Date, finishedAt: Date, queued: boolean): LastRun {
  const problems = [
    ...(summary.mail.stoppedBy ? [`sending stopped: ${summary.mail.stoppedBy}`] : []),
    ...(summary.mail.inDoubt.length > 0 ? [`${summary.mail.inDoubt.length} send(s) in doubt (gazette deliveries --in-doubt)`] : []),
    ...(summary.articleErrors > 0 ? [`${summary.articleErrors} article(s) skipped`] : []),
    ...(summary.mail.failed > 0 ? [`${summary.mail.failed} recipient(s) refused by SES`] : []),
    ...summary.sources.failing.map((source) => `feed ${source.url}: ${source.message}`),
  ];
  return {
    runId: summary.runId,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    outcome: runOutcome(summary),
    digests: { total: summary.digests, created: summary.created, updated: summary.updated },
    files: { written: summary.filesWritten, unchanged: summary.filesUnchanged },
    mail: {
      queued,
      sent: summary.mail.sent,
      alreadySent: summary.mail.alreadySent,
      failed: summary.mail.failed,
      deferred: summary.mail.deferred,
      inDoubt: summary.mail.inDoubt.length,
      ...(summary.mail.stoppedBy ? { stoppedBy: summary.mail.stoppedBy } : {}),
    },
    sources: { polled: summary.sources.polled, newItems: summary.sources.newItems, failing: summary.sources.failing.length },
    articleErrors: summary.articleErrors,
    problems: problems.slice(0, MAX_PROBLEMS).map(shortened),
  };
}

/** The record of a run that threw: nothing counted, the error as its one problem. */
export function failedRunOf(runId: string, error: unknown, startedAt: Date, finishedAt: Date): LastRun {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    outcome: 'failed',
    digests: { total: 0, created: 0, updated: 0 },
    files: { written: 0, unchanged: 0 },
    mail: { queued: false, sent: 0, alreadySent: 0, failed: 0, deferred: 0, inDoubt: 0 },
    sources: { polled: 0, newItems: 0, failing: 0 },
    articleErrors: 0,
    problems: [shortened(`run failed: ${message}`)],
  };
}
