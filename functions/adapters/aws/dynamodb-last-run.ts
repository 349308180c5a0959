/**
 * The publisher's last-run record in the state table (the `run#publisher` item): one small item,
 * overwritten by every run that did something, read by `gazette status` with the operator's credentials.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type LastRun, lastRunSchema } from '../../core/publish/run-summary.js';
import { stateKey } from '../../shared/tables.js';

/** The record over the DynamoDB state table. */
export class DynamoLastRun {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly name = 'publisher',
  ) {}

  /** Replaces the record with `run`. */
  async record(run: LastRun): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...stateKey('run', this.name), run } }));
  }

  /** The record, `undefined` before the first run, `'unreadable'` when another version wrote another shape. */
  async read(): Promise<LastRun | 'unreadable' | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: stateKey('run', this.name), ConsistentRead: true }));
    if (!Item) return undefined;
    const parsed = lastRunSchema.safeParse(Item.run);
    return parsed.success ? parsed.data : 'unreadable';
  }
}
