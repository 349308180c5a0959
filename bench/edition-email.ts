/**
 * What an edition costs to render and to receive, against the baseline of one email per digest (how
 * Gazette mailed before editions; measured as a one-digest edition email each, since the old per-digest
 * renderer is gone): for 5, 20 and 60 new digests, one subscriber's mail count,
 * bytes on the wire and render time, with the ratio edition / baseline. The 60-digest rows use the
 * long synthetic digests that push the edition email to its size budget (items get shortened), once
 * with the default cap (20 in full, the rest as "and N more") and once with the cap at 60. Prints, never fails.
 */
import { EDITION_HTML_BUDGET, editionEmailParts, renderEditionEmail } from '../functions/core/render/index.js';
import type { Digest, MailConfig } from '../functions/core/model.js';
import { longDigests, mail, seedEdition, site, syntheticDigests } from '../tests/unit/render-fixtures.js';
import { formatBytes, formatMs, formatRatio, median, msSince } from './lib/measure.js';

const RECIPIENT = { subscriberId: '0123456789abcdef', to: 'reader@example.net', date: new Date('2025-12-01T07:00:05Z') };
const LINKS = {
  unsubscribeUrl: 'https://gazette.example.com/api/unsubscribe?token=v1.k1.abc.def',
  manageUrl: 'https://gazette.example.com/api/manage?token=v1.k1.abc.ghi',
};

function timed(work: () => number, repeat: number): { ms: number; bytes: number } {
  let bytes = work();
  const samples: number[] = [];
  for (let index = 0; index < repeat; index += 1) {
    const start = process.hrtime.bigint();
    bytes = work();
    samples.push(msSince(start));
  }
  return { ms: median(samples), bytes };
}

function edition(digests: Digest[], mailConfig: MailConfig): number {
  return renderEditionEmail({ edition: { ...seedEdition, digests }, ...RECIPIENT, ...LINKS, site, mail: mailConfig }).raw.length;
}

function baseline(digests: readonly Digest[]): number {
  return digests.reduce((sum, digest) => sum + edition([digest], mail), 0);
}

/** Runs the benchmark and prints one row per case. */
export async function run(): Promise<void> {
  const cases: [string, Digest[], MailConfig][] = [
    ['5 digests', syntheticDigests(5), mail],
    ['20 digests', syntheticDigests(20), mail],
    ['60 long digests, cap 20', longDigests(60), mail],
    ['60 long digests, cap 60', longDigests(60), { ...mail, editionMaxItems: 60 }],
  ];
  console.log(`One subscriber; median of 15 runs; edition HTML budget ${formatBytes(EDITION_HTML_BUDGET)}.`);
  console.log(
    '| new digests | mails before → now | bytes before | bytes now | bytes ratio | ms before | ms now | ms ratio | edition HTML | shortened items |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, digests, mailConfig] of cases) {
    const before = timed(() => baseline(digests), 15);
    const now = timed(() => edition(digests, mailConfig), 15);
    const parts = editionEmailParts({ ...seedEdition, digests }, LINKS, site, mailConfig);
    const shortened = parts.layout.shown.filter((item) => item.detail !== 'full').length;
    console.log(
      `| ${name} | ${digests.length} → 1 | ${formatBytes(before.bytes)} | ${formatBytes(now.bytes)} | ${formatRatio(now.bytes / before.bytes)} | ${formatMs(
        before.ms,
      )} | ${formatMs(now.ms)} | ${formatRatio(now.ms / before.ms)} | ${formatBytes(Buffer.byteLength(parts.html))} | ${shortened} of ${parts.layout.shown.length} (+${parts.layout.more} more) |`,
    );
  }
}
