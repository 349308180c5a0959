/**
 * One batch of send-queue messages, as the sender function's event source mapping delivers it: every
 * message decoded, all their recipients sent in one pool by the dispatcher, and the messages that are
 * not finished reported back as `batchItemFailures` (`ReportBatchItemFailures`), so SQS redelivers only
 * those. A redelivered message's sent recipients are skipped by their ledger claims.
 */
import type { SQSBatchItemFailure, SQSRecord } from 'aws-lambda';
import { GazetteError } from '../../core/errors.js';
import type { Log } from '../../core/publish/ports.js';
import type { DeliveryDispatcher, DeliveryJob, StopReason } from '../../core/send/ports.js';
import { decodeSendMessage, MalformedSendMessageError } from './sqs-send-queue.js';

/** A send of the batch ended in an unexpected error: nobody knows whether that mail left. */
export class SendInDoubtError extends GazetteError {}

/** What became of a batch. */
export interface SenderBatchResult {
  batchItemFailures: SQSBatchItemFailure[];
  /** Failed messages to hold back longer than the visibility timeout: the quota or the sender must recover first. */
  holdBack: SQSRecord[];
  sent: number;
  alreadySent: number;
  failed: number;
  deferred: number;
  /** Why sending stopped, if it did. */
  stoppedBy?: StopReason;
}

/**
 * Sends the batch. A malformed message is a failure every time (the redrive policy moves it to the
 * dead-letter queue); a send in doubt (unknown send state) throws `SendInDoubtError`, and any other
 * exception from the dispatcher propagates, so the whole batch comes back and the ledger sorts out what went.
 */
export async function sendQueuedBatch(records: SQSRecord[], dispatcher: DeliveryDispatcher, log: Log): Promise<SenderBatchResult> {
  const result: SenderBatchResult = { batchItemFailures: [], holdBack: [], sent: 0, alreadySent: 0, failed: 0, deferred: 0 };
  const decoded: { record: SQSRecord; job: DeliveryJob }[] = [];
  for (const record of records) {
    try {
      decoded.push({ record, job: decodeSendMessage(record.body) });
    } catch (error) {
      if (!(error instanceof MalformedSendMessageError)) throw error;
      log('error', 'malformed send-queue message', { messageId: record.messageId, error: error.message });
      result.batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  const reports = decoded.length > 0 ? await dispatcher.dispatch(decoded.map(({ job }) => job)) : [];
  const inDoubt = reports.reduce((total, report) => total + report.inDoubt.length, 0);
  // A send whose outcome is unknown fails the invocation: the whole batch comes back after the
  // visibility timeout and the ledger claims (the one in doubt stays claimed) sort out what went.
  if (inDoubt > 0) throw new SendInDoubtError(`${inDoubt} send(s) ended in an unexpected error; the batch is left to reappear`);
  reports.forEach((report, index) => {
    const { record } = decoded[index]!;
    result.sent += report.sent;
    result.alreadySent += report.alreadySent;
    result.failed += report.failed;
    result.deferred += report.deferred.length;
    if (report.deferred.length === 0) return;
    if (report.stoppedBy) result.stoppedBy ??= report.stoppedBy;
    result.batchItemFailures.push({ itemIdentifier: record.messageId });
    if (report.stoppedBy === 'quota' || report.stoppedBy === 'sender-rejected') result.holdBack.push(record);
  });
  return result;
}
