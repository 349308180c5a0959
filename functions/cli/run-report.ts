/**
 * The summary lines of a publish run, shared by `gazette publish` (a local run) and `gazette run` (the
 * deployed publisher's answer), so both print the same words for the same counts, and the exit code
 * both return for a finished run.
 */
import { runOutcome, type PublishSummary } from '../core/publish/run-summary.js';
import { EXIT_CODES, terminalSafe, type ExitCode } from './cli-errors.js';

/** How the counts are worded: a dry run says "would be"; with a send queue the publisher only enqueues. */
export interface ReportWording {
  dryRun?: boolean;
  /** The deployed publisher hands mail to the send queue's senders instead of sending it. */
  queued?: boolean;
  /** The `maxAgeToMailHours` in force, when known, for the "Held" line. */
  maxAgeToMailHours?: number;
}

/** `Digests: …`, `Files: …`, `Mail: …`, then `Held: …` and `Sources: …` when there is something to say. */
export function summaryLines(summary: PublishSummary, wording: ReportWording = {}): string[] {
  const [written, sent] = wording.dryRun
    ? ['would be written', 'would be sent']
    : ['written', wording.queued ? 'queued for the senders' : 'sent'];
  const { mail } = summary;
  const mailParts = [`${mail.sent} ${sent}`, `${mail.alreadySent} already sent`];
  if (mail.failed) mailParts.push(`${mail.failed} refused`);
  if (mail.inDoubt.length) mailParts.push(`${mail.inDoubt.length} in-doubt`);
  if (mail.deferred) mailParts.push(`${mail.deferred} left for the next run (${mail.stoppedBy ?? 'stopped'})`);
  if (mail.stale) mailParts.push(`${mail.stale} digests too old to email`);
  const lines = [
    `Digests: ${summary.created} new, ${summary.updated} updated, ${summary.unchanged} unchanged (${summary.digests} in the archive)`,
    `Files:   ${summary.filesWritten} ${written}, ${summary.filesUnchanged} unchanged`,
    `Mail:    ${mailParts.join(', ')}`,
  ];
  const { held } = summary;
  if (held['first-fetch'] + held['too-old'] > 0) {
    const tooOld = wording.maxAgeToMailHours === undefined ? 'too old' : `older than ${wording.maxAgeToMailHours} h`;
    const why = [
      held['first-fetch'] ? `${held['first-fetch']} from a feed's first fetch` : '',
      held['too-old'] ? `${held['too-old']} ${tooOld} when first seen` : '',
    ].filter(Boolean);
    lines.push(`Held:    ${held['first-fetch'] + held['too-old']} new digest(s) published but not mailed (${why.join(', ')})`);
  }
  if (summary.sources.polled > 0) {
    lines.push(
      `Sources: ${summary.sources.polled} polled, ${summary.sources.newItems} new items, ${summary.sources.failing.length} failing`,
    );
  }
  return lines;
}

/** One line per failing feed, indented under the `Sources:` line, as `gazette publish` lists a polled feed. */
export function failingSourceLines(summary: PublishSummary): string[] {
  return summary.sources.failing.map(
    (source) =>
      `         ${terminalSafe(`${source.url}: error: ${source.message}${source.status === 'active' ? '' : ` [${source.status}]`}`)}`,
  );
}

/** One stderr line per send that ended in an unknown way (claimed, never sent again by itself). */
export function inDoubtLines(summary: PublishSummary): string[] {
  return summary.mail.inDoubt.map(
    (pair) =>
      `in-doubt: delivery ${terminalSafe(pair.deliveryId)} to subscriber ${terminalSafe(pair.subscriberId)}: the send failed in an unknown way; it stays claimed and is never sent again by itself (gazette deliveries --in-doubt)`,
  );
}

/** The exit code of a finished run: 75 when sending stopped, 3 when something was refused, else 0. */
export function exitCodeOfRun(summary: PublishSummary): ExitCode {
  const outcome = runOutcome(summary);
  if (outcome === 'stopped') return EXIT_CODES.tryAgainLater;
  return outcome === 'partial' ? EXIT_CODES.partial : EXIT_CODES.ok;
}

/** What `gazette unpublish` says it did, locally and on a stack. */
export function unpublishedLine(result: { digest: { headline: string; id: string }; already: boolean }, rewritten: number): string {
  return `${result.already ? 'Already unpublished' : 'Unpublished'}: ${terminalSafe(result.digest.headline)} (${result.digest.id}); ${rewritten} file(s) rewritten`;
}
