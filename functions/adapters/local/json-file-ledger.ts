/**
 * The delivery ledger as a JSON Lines journal (`out/state/deliveries.jsonl`): which (delivery, subscriber)
 * pairs were claimed, sent or refused. Every change is on disk before the call returns, so a claim is
 * durable before the message is written, exactly as the DynamoDB ledger's conditional put.
 */
import type { DeliveryId } from '../../core/publish/delivery.js';
import type { ClaimOutcome, DeliveryLedger } from '../../core/publish/ports.js';
import { SerialQueue } from './atomic-file.js';
import { JsonLinesJournal } from './json-lines-journal.js';

/** One pair's state. */
export interface DeliveryRecord {
  status: 'claimed' | 'sent' | 'failed';
  claimedAt: string;
  sentAt?: string;
  messageId?: string;
  failedAt?: string;
  reason?: string;
}

/** One line of the journal: what happened to one pair. */
interface LedgerEntry {
  /**
   * The delivery id. The field keeps its first name so journals written before deliveries had their
   * own ids (when it held the digest id, which is still one digest's delivery id) replay unchanged.
   */
  digestId: string;
  subscriberId: string;
  change: 'claimed' | 'sent' | 'failed' | 'released';
  at?: string;
  messageId?: string;
  reason?: string;
}

function isLedgerEntry(value: unknown): value is LedgerEntry {
  const entry = value as Partial<LedgerEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.digestId === 'string' &&
    typeof entry.subscriberId === 'string' &&
    ['claimed', 'sent', 'failed', 'released'].includes(entry.change as string)
  );
}

/** The `DeliveryLedger` port over an append-only file: one line per change, replayed on read. */
export class JsonFileLedger implements DeliveryLedger {
  private readonly queue = new SerialQueue();
  /** delivery id → subscriberId → record; null prototypes keep an id like "__proto__" an ordinary key. */
  private readonly deliveries: Record<string, Record<string, DeliveryRecord>> = Object.create(null);
  private readonly journal: JsonLinesJournal<LedgerEntry>;

  constructor(
    /** Path of the journal; created on the first claim. */
    readonly path: string,
  ) {
    this.journal = new JsonLinesJournal(path, (entry) => this.apply(entry), isLedgerEntry);
  }

  /** Claims the pair unless any run claimed it before (whatever became of that claim). */
  claim(deliveryId: DeliveryId, subscriberId: string, at: Date): Promise<ClaimOutcome> {
    return this.change(async () => {
      if (this.deliveries[deliveryId]?.[subscriberId]) return 'already-claimed';
      await this.record({ digestId: deliveryId, subscriberId, change: 'claimed', at: at.toISOString() });
      return 'claimed';
    });
  }

  /** Records the message id of a sent pair. */
  markSent(deliveryId: DeliveryId, subscriberId: string, messageId: string, at: Date): Promise<void> {
    return this.change(async () => {
      this.existing(deliveryId, subscriberId);
      await this.record({ digestId: deliveryId, subscriberId, change: 'sent', at: at.toISOString(), messageId });
    });
  }

  /** Records that the recipient was refused for good. */
  markFailed(deliveryId: DeliveryId, subscriberId: string, reason: string, at: Date): Promise<void> {
    return this.change(async () => {
      this.existing(deliveryId, subscriberId);
      await this.record({ digestId: deliveryId, subscriberId, change: 'failed', at: at.toISOString(), reason });
    });
  }

  /** Drops a claim that was never sent; a sent or failed pair is kept. */
  release(deliveryId: DeliveryId, subscriberId: string): Promise<void> {
    return this.change(async () => {
      if (this.deliveries[deliveryId]?.[subscriberId]?.status !== 'claimed') return;
      await this.record({ digestId: deliveryId, subscriberId, change: 'released' });
    });
  }

  /** Every record, for tests and inspection. */
  records(): Promise<Record<string, Record<string, DeliveryRecord>>> {
    return this.change(async () => structuredClone({ ...this.deliveries }));
  }

  private existing(deliveryId: DeliveryId, subscriberId: string): DeliveryRecord {
    const record = this.deliveries[deliveryId]?.[subscriberId];
    // The core always claims first; anything else is a bug worth stopping for.
    if (!record) throw new Error(`${this.path}: no claim for delivery ${deliveryId} and subscriber ${subscriberId}`);
    return record;
  }

  /** Runs one step on up-to-date state, never interleaved with another step of this process. */
  private change<T>(step: () => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      await this.journal.refresh();
      return step();
    });
  }

  private async record(entry: LedgerEntry): Promise<void> {
    await this.journal.append(entry);
    this.apply(entry);
  }

  private apply(entry: LedgerEntry): void {
    const forDelivery = (this.deliveries[entry.digestId] ??= Object.create(null) as Record<string, DeliveryRecord>);
    const record = forDelivery[entry.subscriberId];
    switch (entry.change) {
      case 'claimed':
        forDelivery[entry.subscriberId] = { status: 'claimed', claimedAt: entry.at ?? '' };
        break;
      case 'sent':
        if (record) Object.assign(record, { status: 'sent', sentAt: entry.at, messageId: entry.messageId });
        break;
      case 'failed':
        if (record) Object.assign(record, { status: 'failed', failedAt: entry.at, reason: entry.reason });
        break;
      case 'released':
        delete forDelivery[entry.subscriberId];
        if (Object.keys(forDelivery).length === 0) delete this.deliveries[entry.digestId];
        break;
    }
  }
}
