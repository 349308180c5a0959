/**
 * The failures other list managers shipped, reproduced against the emulators: SES throttling, a crash
 * after SES accepted a message, the daily quota running out, a refused recipient, overlapping runs, a
 * run far behind its schedule. Faults are injected on the wire by the SES front, so the real SDK parses
 * SES's real error documents.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { loadKeyring } from '../../functions/adapters/aws/secrets-keyring.js';
import { awsPublishDeps, awsPublishSettings } from '../../functions/composition/aws.js';
import { publishDigests, type PublishReport } from '../../functions/core/publish/publish-digests.js';
import { sesStats, setSesFaults } from '../../functions/dev/local-aws/ses-front.js';
import { countByRecipient, createHarness, type Harness } from './harness.js';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) {
    await setSesFaults(harness.endpoints.ses, {});
    harness.close();
  }
});
async function harness(options?: Parameters<typeof createHarness>[0]): Promise<Harness> {
  const created = await createHarness(options);
  harnesses.push(created);
  return created;
}

async function confirmedSubscribers(h: Harness, count: number): Promise<string[]> {
  const addresses = Array.from({ length: count }, (_, index) => h.address(`reader${index + 1}`));
  for (const address of addresses) await h.seedSubscriber(address, 'confirmed');
  return addresses;
}

function expectEachOnce(h: Harness, mails: { to: string }[], addresses: string[]): void {
  expect(Object.fromEntries(countByRecipient(mails))).toEqual(Object.fromEntries(addresses.map((address) => [address, 1])));
}

describe('delivery under failure', () => {
  it('retries SES throttling with backoff: nothing lost, nothing doubled', async () => {
    const h = await harness();
    const addresses = await confirmedSubscribers(h, 6);
    await setSesFaults(h.endpoints.ses, { throttleRequests: [2, 3, 5] });
    const before = await sesStats(h.endpoints.ses);

    const summary = await h.invoke();

    expect(summary.mail).toEqual({ sent: 6, alreadySent: 0, failed: 0, deferred: 0, stale: 0, editions: 1, inDoubt: [] });
    const after = await sesStats(h.endpoints.ses);
    // Three throttled attempts were retried (9 requests for 6 mails); the quota was read once for the run.
    expect(after.sendRequests - before.sendRequests).toBe(9);
    expect(after.quotaReads - before.quotaReads).toBe(1);
    expectEachOnce(h, await h.mails(), addresses);
    const deliveries = await h.deliveries();
    expect(deliveries.map((delivery) => delivery.status)).toEqual(Array(6).fill('sent'));
    // The digest stays in the stream; the edition that carried it is recorded on it.
    expect((await h.digests())[0]!.editions).toHaveLength(1);
  });

  it('a crash after SES accepted half the mails, then a retry, mails everyone exactly once', async () => {
    const h = await harness();
    const addresses = await confirmedSubscribers(h, 6);
    // The 4th message reaches SES but its response is lost: the run dies not knowing it was sent. Sends
    // already in flight beside it still finish and are recorded (several are in flight at a time).
    await setSesFaults(h.endpoints.ses, { loseResponseAfterSends: 3 });

    const first = await h.invoke();
    const mailedBeforeCrash = (await h.mails()).length;
    expect(mailedBeforeCrash).toBeGreaterThanOrEqual(4);
    const afterCrash = await h.deliveries();
    expect(afterCrash.filter((delivery) => delivery.status === 'sent')).toHaveLength(mailedBeforeCrash - 1);
    const claimed = afterCrash.filter((delivery) => delivery.status === 'claimed');
    expect(claimed).toHaveLength(1);
    // The run reports that pair in doubt (neither sent nor failed), stops, and says so in a metric.
    expect(first.mail).toMatchObject({ sent: mailedBeforeCrash - 1, failed: 0, deferred: 6 - mailedBeforeCrash, stoppedBy: 'in-doubt' });
    expect(first.mail.inDoubt).toEqual([{ deliveryId: claimed[0]!.digestId, subscriberId: claimed[0]!.subscriberId }]);
    expect(h.metrics.at(-1)).toEqual(expect.arrayContaining([{ name: 'MailsInDoubt', value: 1 }]));
    expect((await h.digests())[0]!.mailStatus).toBe('pending');

    await setSesFaults(h.endpoints.ses, {});
    const retry = await h.invoke();

    // The recorded ones have their cursor past the edition; only the unknown one meets its claim.
    expect(retry.mail).toMatchObject({ sent: 6 - mailedBeforeCrash, alreadySent: 1, deferred: 0 });
    expectEachOnce(h, await h.mails(), addresses);
    expect((await h.digests())[0]!.mailStatus).toBe('pending');
    // The pair whose outcome was unknown keeps its claim: at most once beats at least once.
    expect((await h.deliveries()).filter((delivery) => delivery.status === 'claimed')).toHaveLength(1);
  });

  it('stops cleanly when the daily quota runs out, marks only what was sent, and the next run mails the rest', async () => {
    const h = await harness();
    const addresses = await confirmedSubscribers(h, 5);
    await setSesFaults(h.endpoints.ses, { quotaAfterSends: 2 });

    const first = await h.invoke();

    expect(first.mail).toMatchObject({ sent: 2, deferred: 3, stoppedBy: 'quota' });
    const mailed = await h.mails();
    expect(mailed).toHaveLength(2);
    const deliveries = await h.deliveries();
    // Exactly the two accepted messages are recorded, with SES's ids; the refused claim was released.
    expect(deliveries).toHaveLength(2);
    expect(deliveries.map((delivery) => delivery.status)).toEqual(['sent', 'sent']);
    expect((await h.digests())[0]!.mailStatus).toBe('pending');
    expect(h.metrics.at(-1)).toEqual(
      expect.arrayContaining([
        { name: 'MailsSent', value: 2 },
        { name: 'MailsDeferred', value: 3 },
      ]),
    );

    await setSesFaults(h.endpoints.ses, {});
    const next = await h.invoke();

    expect(next.mail).toMatchObject({ sent: 3, alreadySent: 0, deferred: 0 });
    expectEachOnce(h, await h.mails(), addresses);
    // Everyone got the same edition: one delivery id in the ledger.
    expect(new Set((await h.deliveries()).map((delivery) => delivery.digestId)).size).toBe(1);
  });

  it('a recipient SES refuses is recorded as failed and the others still get their mail', async () => {
    const h = await harness();
    const addresses = await confirmedSubscribers(h, 3);
    await setSesFaults(h.endpoints.ses, { rejectRecipients: [addresses[1]!] });

    const summary = await h.invoke();

    expect(summary.mail).toMatchObject({ sent: 2, failed: 1, deferred: 0 });
    expectEachOnce(h, await h.mails(), [addresses[0]!, addresses[2]!]);
    const failed = (await h.deliveries()).filter((delivery) => delivery.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(h.metrics.at(-1)).toEqual(expect.arrayContaining([{ name: 'MailsFailed', value: 1 }]));
    // A permanent refusal is not retried by the next run.
    await setSesFaults(h.endpoints.ses, {});
    expect((await h.invoke()).mail.sent).toBe(0);
  });

  it('two overlapping invocations publish once and mail once (the lease turns one away)', async () => {
    const h = await harness();
    const addresses = await confirmedSubscribers(h, 4);

    const results = await Promise.all([h.invoke(), h.invoke()]);

    expect(results.filter((summary) => summary.skipped === 'lease-busy')).toHaveLength(1);
    const ran = results.find((summary) => !summary.skipped)!;
    expect(h.putCount()).toBe(ran.filesWritten);
    expectEachOnce(h, await h.mails(), addresses);
    expect(await h.digests()).toHaveLength(1);
    // The lease was given back, so the next scheduled run is not turned away.
    expect((await h.stateItems()).map((item) => item.id)).not.toContain('lease#publisher');
  });

  it('even without the lease, concurrent runs racing on one pending digest mail each subscriber once (ledger claims)', async () => {
    const h = await harness();
    const addresses = await confirmedSubscribers(h, 4);
    // First a run that stores the digest but cannot send (quota), so every racer below sees it pending.
    await setSesFaults(h.endpoints.ses, { quotaAfterSends: 0 });
    expect((await h.invoke()).mail).toMatchObject({ sent: 0, stoppedBy: 'quota' });
    await setSesFaults(h.endpoints.ses, {});

    // The use case itself on the deployed adapters, with no run lease: only the ledger keeps them apart.
    const { deps } = awsPublishDeps(h.env, h.clients, { now: () => new Date() }, () => undefined);
    const keyring = await loadKeyring(h.env.keyring, h.clients.secrets);
    const runWithoutLease = (): Promise<PublishReport> => publishDigests(deps, awsPublishSettings(h.env, keyring, randomUUID()));
    const results = await Promise.all([runWithoutLease(), runWithoutLease(), runWithoutLease()]);

    expect(deps.lease).toBeUndefined();
    expect(results.every((report) => !report.skipped)).toBe(true);
    expect(results.reduce((total, summary) => total + summary.mail.sent, 0)).toBe(4);
    expect(results.reduce((total, summary) => total + summary.mail.alreadySent, 0)).toBeGreaterThan(0);
    expectEachOnce(h, await h.mails(), addresses);
    expect(await h.digests()).toHaveLength(1);
  });

  it('a run far behind its schedule publishes the digest but mails nobody', async () => {
    const h = await harness();
    await confirmedSubscribers(h, 2);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000).toISOString();

    const summary = await h.invoke({ scheduledAt: twoDaysAgo });

    expect(summary.created).toBe(1);
    expect(summary.mail.sent).toBe(0);
    expect(await h.mails()).toHaveLength(0);
    expect((await h.digests())[0]!.mailStatus).toBe('stale');
    expect(await h.keys('feeds/')).toEqual(['feeds/atom.xml', 'feeds/feed.json', 'feeds/rss.xml']);
  });
});

describe('run lease in the state table', () => {
  it('turns a run away while another holds an unexpired lease, and lets it in once that lease has lapsed', async () => {
    const h = await harness();
    await confirmedSubscribers(h, 1);
    const now = Math.floor(Date.now() / 1000);
    await h.clients.doc.send(
      new PutCommand({ TableName: h.names.tables.state, Item: { id: 'lease#publisher', owner: 'other-run', expiresAt: now + 600 } }),
    );

    expect(await h.invoke()).toMatchObject({ skipped: 'lease-busy', created: 0, filesWritten: 0 });
    expect(h.putCount()).toBe(0);
    expect(await h.mails()).toHaveLength(0);

    // A run that was killed leaves its lease behind; once expired it no longer blocks anyone.
    await h.clients.doc.send(
      new PutCommand({ TableName: h.names.tables.state, Item: { id: 'lease#publisher', owner: 'killed-run', expiresAt: now - 1 } }),
    );
    const summary = await h.invoke();
    expect(summary.skipped).toBeUndefined();
    expect(summary.mail.sent).toBe(1);
  });

  it('holds the lease no longer than the invocation can live, so a retry after a timeout is not locked out', async () => {
    const h = await harness();
    const leaseWrites: { expiresAt: number; at: number }[] = [];
    // The document client shares the low-level client's stack; at this step items are still plain values.
    h.clients.dynamodb.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Item?: { id?: unknown; expiresAt?: unknown } };
        if (input.Item?.id === 'lease#publisher') leaseWrites.push({ expiresAt: Number(input.Item.expiresAt), at: Date.now() / 1000 });
        return next(args);
      },
      { step: 'initialize', name: 'recordLease' },
    );

    await h.handler({}, { awsRequestId: 'run-with-deadline', getRemainingTimeInMillis: () => 60_000 });

    expect(leaseWrites).toHaveLength(1);
    const heldFor = leaseWrites[0]!.expiresAt - leaseWrites[0]!.at;
    // 60 s of remaining time plus the 30 s grace, rounded up to whole seconds: well under the 15 min default.
    expect(heldFor).toBeGreaterThan(60);
    expect(heldFor).toBeLessThanOrEqual(91);
  });
});
