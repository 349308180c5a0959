/**
 * The delivery ledger as one JSON file (`out/state/deliveries.json`): which (digest, subscriber) pairs
 * were claimed, sent or refused. Every change is written to disk before the call returns, so a claim
 * is durable before the message is written, exactly as the DynamoDB ledger's conditional put.
 */
import type { ClaimOutcome, DeliveryLedger } from '../../core/publish/ports.js';
import { SerialQueue, readJsonFile, writeJsonFile } from './atomic-file.js';

/** One pair's state in the file. */
export interface DeliveryRecord {
  status: 'claimed' | 'sent' | 'failed';
  claimedAt: string;
  sentAt?: string;
  messageId?: string;
  failedAt?: string;
  reason?: string;
}

interface LedgerFile {
  version: 1;
  /** digestId → subscriberId → record. */
  deliveries: Record<string, Record<string, DeliveryRecord>>;
}

/**
 * The `DeliveryLedger` port over a JSON file. Each call rewrites the whole file, which is fine for the
 * handful of local subscribers this serves; the AWS ledger is one item per pair.
 */
export class JsonFileLedger implements DeliveryLedger {
  private readonly queue = new SerialQueue();

  constructor(
    /** Path of the JSON file; created on the first claim. */
    readonly path: string,
  ) {}

  /** Claims the pair unless any run claimed it before (whatever became of that claim). */
  claim(digestId: string, subscriberId: string, at: Date): Promise<ClaimOutcome> {
    return this.change((file) => {
      const forDigest = (file.deliveries[digestId] ??= Object.create(null) as Record<string, DeliveryRecord>);
      if (Object.hasOwn(forDigest, subscriberId)) return 'already-claimed';
      forDigest[subscriberId] = { status: 'claimed', claimedAt: at.toISOString() };
      return 'claimed';
    });
  }

  /** Records the message id of a sent pair. */
  async markSent(digestId: string, subscriberId: string, messageId: string, at: Date): Promise<void> {
    await this.change((file) => {
      const record = this.existing(file, digestId, subscriberId);
      Object.assign(record, { status: 'sent', sentAt: at.toISOString(), messageId });
    });
  }

  /** Records that the recipient was refused for good. */
  async markFailed(digestId: string, subscriberId: string, reason: string, at: Date): Promise<void> {
    await this.change((file) => {
      const record = this.existing(file, digestId, subscriberId);
      Object.assign(record, { status: 'failed', failedAt: at.toISOString(), reason });
    });
  }

  /** Drops a claim that was never sent; a sent or failed pair is kept. */
  async release(digestId: string, subscriberId: string): Promise<void> {
    await this.change((file) => {
      const forDigest = file.deliveries[digestId];
      if (forDigest?.[subscriberId]?.status !== 'claimed') return;
      delete forDigest[subscriberId];
      if (Object.keys(forDigest).length === 0) delete file.deliveries[digestId];
    });
  }

  /** Every record, for tests and inspection. */
  async records(): Promise<LedgerFile['deliveries']> {
    return (await this.read()).deliveries;
  }

  private existing(file: LedgerFile, digestId: string, subscriberId: string): DeliveryRecord {
    const record = file.deliveries[digestId]?.[subscriberId];
    // The core always claims first; anything else is a bug worth stopping for.
    if (!record) throw new Error(`${this.path}: no claim for digest ${digestId} and subscriber ${subscriberId}`);
    return record;
  }

  private change<T>(apply: (file: LedgerFile) => T): Promise<T> {
    return this.queue.run(async () => {
      const file = await this.read();
      const before = JSON.stringify(file);
      const result = apply(file);
      if (JSON.stringify(file) !== before) await writeJsonFile(this.path, file);
      return result;
    });
  }

  private async read(): Promise<LedgerFile> {
    const file = await readJsonFile<LedgerFile>(this.path, { version: 1, deliveries: {} });
    if (!file || typeof file.deliveries !== 'object' || file.deliveries === null) {
      throw new Error(`${this.path}: not a delivery ledger (no "deliveries" object)`);
    }
    // Plain objects keyed by ids: a null prototype keeps an id like "__proto__" an ordinary key.
    const deliveries: LedgerFile['deliveries'] = Object.create(null);
    for (const [digestId, bySubscriber] of Object.entries(file.deliveries)) {
      deliveries[digestId] = Object.assign(Object.create(null), bySubscriber);
    }
    return { version: 1, deliveries };
  }
}
