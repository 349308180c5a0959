/**
 * What `gazette status` shows, as data and as lines. Pure: the command gathers the sections (each may
 * fail on its own, e.g. a missing permission) and passes the clock in, so the wording is tested exactly.
 */
import type { LastRun } from '../../core/publish/run-summary.js';
import type { SubscriberStatus } from '../../core/model.js';

/** A part of the report that was read, or why it could not be. */
export type Section<T> = { ok: true; value: T } | { ok: false; error: string };

/** Messages waiting, being worked on (in flight) and delayed, as SQS counts them (approximately). */
export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** SES's own numbers: the rolling quota and the two weeks of sending statistics. */
export interface SendingFigures {
  max24HourSend: number;
  sentLast24Hours: number;
  maxSendRate: number;
  /** Summed over the data points of GetSendStatistics (15-minute buckets of the last two weeks). */
  lastTwoWeeks: { deliveryAttempts: number; bounces: number; complaints: number; rejects: number };
  /** The senders' shared pause, when one is in force (ISO end and why). */
  paused?: { until: string; reason: string };
}

/** Everything `gazette status` reports. */
export interface StatusReport {
  stack: { name: string; status: string; region: string };
  lastRun: Section<LastRun | 'unreadable' | undefined>;
  subscribers: Section<Record<string, number>>;
  sending: Section<SendingFigures>;
  queue: Section<{ send: QueueDepth; deadLetter: QueueDepth }>;
}

/**
 * SES puts an account under review from these rates and may pause its sending from about twice them
 * (bounces 5 % / 10 %, complaints 0.1 % / 0.5 %, per the SES developer guide): worth a warning early.
 */
export const SES_REVIEW_RATES = { bounce: 0.05, complaint: 0.001 } as const;

/** The sandbox's limits: 200 mails a day at 1 a second, to verified addresses only. */
const SANDBOX = { max24HourSend: 200, maxSendRate: 1 } as const;

const STATUS_ORDER: readonly SubscriberStatus[] = ['confirmed', 'pending', 'unsubscribed', 'bounced', 'complained'];

const number = new Intl.NumberFormat('en-US');
const INDENT = '             ';

/** `3 h ago`, `12 min ago`, `2 d ago`: how long since `then`. */
export function ago(then: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - then.getTime()) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} d ago`;
}

function percent(part: number, whole: number, digits: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(digits)} %` : 'n/a';
}

function lastRunLines(run: LastRun | 'unreadable' | undefined, now: Date): string[] {
  if (run === undefined) return ['Last run:    none recorded yet (the first scheduled run, or gazette run, records one)'];
  if (run === 'unreadable') return ['Last run:    recorded by another version of Gazette (redeploy, then run again)'];
  const started = new Date(run.startedAt);
  const seconds = (new Date(run.finishedAt).getTime() - started.getTime()) / 1000;
  const when = `${run.finishedAt.slice(0, 16).replace('T', ' ')} UTC, ${ago(new Date(run.finishedAt), now)}`;
  const lines = [`Last run:    ${when} (run ${run.runId}): ${run.outcome}, took ${seconds.toFixed(1)} s`];
  if (run.outcome !== 'failed') {
    const mail = [
      `${number.format(run.mail.sent)} ${run.mail.queued ? 'queued for the senders' : 'sent'}`,
      `${number.format(run.mail.alreadySent)} already sent`,
    ];
    if (run.mail.failed) mail.push(`${number.format(run.mail.failed)} refused`);
    if (run.mail.deferred) mail.push(`${number.format(run.mail.deferred)} left for the next run`);
    lines.push(
      `${INDENT}${run.digests.created} new, ${run.digests.updated} updated digest(s) (${run.digests.total} on the site); ` +
        `${run.files.written} file(s) written; mail: ${mail.join(', ')}`,
    );
    if (run.sources.polled > 0)
      lines.push(`${INDENT}feeds: ${run.sources.polled} polled, ${run.sources.newItems} new items, ${run.sources.failing} failing`);
  }
  for (const problem of run.problems) lines.push(`${INDENT}! ${problem}`);
  return lines;
}

function subscriberLine(counts: Record<string, number>): string {
  const known = STATUS_ORDER.map((status) => `${number.format(counts[status] ?? 0)} ${status}`);
  const other = Object.entries(counts)
    .filter(([status]) => !(STATUS_ORDER as readonly string[]).includes(status))
    .map(([status, n]) => `${number.format(n)} ${status}`);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return `Subscribers: ${[...known, ...other].join(', ')} (${number.format(total)} in all)`;
}

function sendingLines(figures: SendingFigures): string[] {
  const { lastTwoWeeks: weeks } = figures;
  const lines = [
    `Sending:     ${number.format(figures.sentLast24Hours)} of ${number.format(figures.max24HourSend)} sent in the last 24 h ` +
      `(${percent(figures.sentLast24Hours, figures.max24HourSend, 1)} of the quota), at most ${number.format(figures.maxSendRate)} mails/s`,
    `${INDENT}last 14 days: ${number.format(weeks.deliveryAttempts)} sent, bounces ${percent(weeks.bounces, weeks.deliveryAttempts, 2)}, ` +
      `complaints ${percent(weeks.complaints, weeks.deliveryAttempts, 3)}, ${number.format(weeks.rejects)} rejected by SES`,
  ];
  if (figures.paused)
    lines.push(
      `${INDENT}! senders paused until ${figures.paused.until} (${figures.paused.reason === 'quota' ? 'daily quota spent' : 'SES refused the sender'}); the queue waits`,
    );
  if (figures.max24HourSend <= SANDBOX.max24HourSend && figures.maxSendRate <= SANDBOX.maxSendRate)
    lines.push(`${INDENT}! looks like the SES sandbox: only verified addresses receive mail; request production access`);
  if (weeks.deliveryAttempts > 0 && weeks.bounces / weeks.deliveryAttempts >= SES_REVIEW_RATES.bounce)
    lines.push(`${INDENT}! bounce rate at or above ${SES_REVIEW_RATES.bounce * 100} %: SES reviews accounts from here (clean the list)`);
  if (weeks.deliveryAttempts > 0 && weeks.complaints / weeks.deliveryAttempts >= SES_REVIEW_RATES.complaint)
    lines.push(`${INDENT}! complaint rate at or above ${SES_REVIEW_RATES.complaint * 100} %: SES reviews accounts from here`);
  return lines;
}

function queueLines(queue: { send: QueueDepth; deadLetter: QueueDepth }): string[] {
  const { send, deadLetter } = queue;
  const dead = deadLetter.visible + deadLetter.inFlight + deadLetter.delayed;
  const lines = [
    `Send queue:  ${number.format(send.visible)} waiting, ${number.format(send.inFlight)} in flight, ${number.format(send.delayed)} held back; ` +
      `dead-letter queue: ${number.format(dead)}`,
  ];
  if (dead > 0) lines.push(`${INDENT}! messages in the dead-letter queue were never sent: see why in the sender's log, then redrive them`);
  return lines;
}

function orUnavailable<T>(label: string, section: Section<T>, lines: (value: T) => string[]): string[] {
  return section.ok ? lines(section.value) : [`${label.padEnd(12)} unavailable: ${section.error}`];
}

/** The report as the lines `gazette status` prints. */
export function statusLines(report: StatusReport, now: Date): string[] {
  return [
    `Stack:       ${report.stack.name} (${report.stack.region}), ${report.stack.status}`,
    ...orUnavailable('Last run:', report.lastRun, (run) => lastRunLines(run, now)),
    ...orUnavailable('Subscribers:', report.subscribers, (counts) => [subscriberLine(counts)]),
    ...orUnavailable('Sending:', report.sending, sendingLines),
    ...orUnavailable('Send queue:', report.queue, queueLines),
  ];
}
