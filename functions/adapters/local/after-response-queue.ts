/**
 * The confirmation queue of local runs (`npm run serve`, `npm run dev`, tests): each job runs in this
 * process after the request that queued it has been answered, one job at a time, in order. So the
 * answer to a subscribe request takes the same time whether a mail goes out or not, as the SQS queue
 * makes it on AWS.
 */
import type { ConfirmationJob, ConfirmationQueue } from '../../core/subscriptions/subscribe.js';

/** A `ConfirmationQueue` that runs `work` for each job once the current request is answered. */
export class AfterResponseQueue implements ConfirmationQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    /** What a job does (`sendConfirmation` with the local adapters). */
    private readonly work: (job: ConfirmationJob) => Promise<unknown>,
    /** Told about a job that failed (the answer was given long before; nobody else will hear of it). */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Queues the job and returns at once; the job starts after pending I/O, so after the response is written. */
  async enqueue(job: ConfirmationJob): Promise<void> {
    this.tail = this.tail
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.work(job))
      .then(
        () => undefined,
        (error: unknown) => this.onError(error),
      );
  }

  /** Resolves once every job queued so far has run (tests and the benchmark wait for the mail here). */
  idle(): Promise<void> {
    return this.tail;
  }
}
