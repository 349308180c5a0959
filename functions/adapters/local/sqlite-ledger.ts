/**
 * The delivery ledger in the local state database: which (delivery, subscriber) pairs were claimed,
 * sent or refused. A claim is one `INSERT OR IGNORE` inside a `BEGIN IMMEDIATE` transaction, so of any
 * number of processes claiming the same pair exactly one gets `claimed`, and it is on disk before the
 * message is written, exactly as the DynamoDB ledger's conditional put.
 */
import type { DeliveryId } from '../../core/publish/delivery.js';
import type { ClaimOutcome, DeliveryLedger } from '../../core/publish/ports.js';
import type { LocalState } from './local-state.js';

/** One pair's state. */
export interface DeliveryRecord {
  status: 'claimed' | 'sent' | 'failed';
  claimedAt: string;
  sentAt?: string;
  messageId?: string;
  failedAt?: string;
  reason?: string;
}

/** A pair in doubt: claimed, but no message id was recorded (a crash or a kill between claim and send). */
export interface InDoubtPair {
  deliveryId: string;
  subscriberId: string;
  claimedAt: string;
}

interface Row {
  delivery_id: string;
  subscriber_id: string;
  status: DeliveryRecord['status'];
  claimed_at: string;
  sent_at: string | null;
  message_id: string | null;
  failed_at: string | null;
  reason: string | null;
}

/** The `DeliveryLedger` port over the `deliveries` table, keyed by (delivery id, subscriber id). */
export class SqliteLedger implements DeliveryLedger {
  constructor(private readonly state: LocalState) {}

  /** Claims the pair unless any run claimed it before (whatever became of that claim). */
  async claim(deliveryId: DeliveryId, subscriberId: string, at: Date): Promise<ClaimOutcome> {
    const insert = this.state.db.prepare(
      "INSERT OR IGNORE INTO deliveries (delivery_id, subscriber_id, status, claimed_at) VALUES (?, ?, 'claimed', ?)",
    );
    const claimed = this.state.immediate(() => insert.run(deliveryId, subscriberId, at.toISOString()).changes === 1);
    return claimed ? 'claimed' : 'already-claimed';
  }

  /** Records the message id of a sent pair. */
  async markSent(deliveryId: DeliveryId, subscriberId: string, messageId: string, at: Date): Promise<void> {
    this.update(
      "UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ? WHERE delivery_id = ? AND subscriber_id = ?",
      [at.toISOString(), messageId, deliveryId, subscriberId],
      deliveryId,
      subscriberId,
    );
  }

  /** Records that the recipient was refused for good. */
  async markFailed(deliveryId: DeliveryId, subscriberId: string, reason: string, at: Date): Promise<void> {
    this.update(
      "UPDATE deliveries SET status = 'failed', failed_at = ?, reason = ? WHERE delivery_id = ? AND subscriber_id = ?",
      [at.toISOString(), reason, deliveryId, subscriberId],
      deliveryId,
      subscriberId,
    );
  }

  /** Drops a claim that was never sent; a sent or failed pair is kept. */
  async release(deliveryId: DeliveryId, subscriberId: string): Promise<void> {
    const remove = this.state.db.prepare("DELETE FROM deliveries WHERE delivery_id = ? AND subscriber_id = ? AND status = 'claimed'");
    this.state.immediate(() => remove.run(deliveryId, subscriberId));
  }

  /** Subscribers with any record for the delivery, in one query (the primary key's prefix). */
  async sentSubscribers(deliveryId: DeliveryId): Promise<Set<string>> {
    const rows = this.state.db
      .prepare<[string], { subscriber_id: string }>('SELECT subscriber_id FROM deliveries WHERE delivery_id = ?')
      .all(deliveryId);
    return new Set(rows.map((row) => row.subscriber_id));
  }

  /** Pairs in doubt (claimed, no message id), oldest claim first: the mail may or may not have left. */
  async inDoubt(): Promise<InDoubtPair[]> {
    return this.state.db
      .prepare<[], Row>(
        "SELECT * FROM deliveries WHERE status = 'claimed' AND message_id IS NULL ORDER BY claimed_at, delivery_id, subscriber_id",
      )
      .all()
      .map((row) => ({ deliveryId: row.delivery_id, subscriberId: row.subscriber_id, claimedAt: row.claimed_at }));
  }

  /** Every record by delivery id and subscriber id, for tests and inspection. */
  async records(): Promise<Record<string, Record<string, DeliveryRecord>>> {
    const result: Record<string, Record<string, DeliveryRecord>> = Object.create(null);
    for (const row of this.state.db.prepare<[], Row>('SELECT * FROM deliveries ORDER BY delivery_id, subscriber_id').all()) {
      const record: DeliveryRecord = { status: row.status, claimedAt: row.claimed_at };
      if (row.sent_at !== null) record.sentAt = row.sent_at;
      if (row.message_id !== null) record.messageId = row.message_id;
      if (row.failed_at !== null) record.failedAt = row.failed_at;
      if (row.reason !== null) record.reason = row.reason;
      (result[row.delivery_id] ??= Object.create(null) as Record<string, DeliveryRecord>)[row.subscriber_id] = record;
    }
    return result;
  }

  private update(sql: string, values: string[], deliveryId: string, subscriberId: string): void {
    const statement = this.state.db.prepare(sql);
    const changes = this.state.immediate(() => statement.run(...values).changes);
    // The core always claims first; anything else is a bug worth stopping for.
    if (changes === 0) throw new Error(`${this.state.path}: no claim for delivery ${deliveryId} and subscriber ${subscriberId}`);
  }
}
