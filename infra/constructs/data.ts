import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/env-names.js';
import { ARCHIVE_INDEX, type KeyAttribute, TABLE_KEYS, type TableKeySchema } from '../../functions/shared/tables.js';
import type { ConfigurableFunction } from './gazette-function.js';
import { nagArnOf } from './nag.js';

const ATTRIBUTE_TYPES: Record<KeyAttribute['type'], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

/** A shared key attribute as CDK spells it. */
function attribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

/**
 * One on-demand table keyed by `keys` (the adapters' own schema), with its secondary indexes and the
 * settings every Gazette table shares.
 */
function gazetteTable(scope: Construct, id: string, keys: TableKeySchema): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    partitionKey: attribute(keys.partitionKey),
    ...(keys.sortKey ? { sortKey: attribute(keys.sortKey) } : {}),
    ...(keys.timeToLive ? { timeToLiveAttribute: keys.timeToLive } : {}),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    // Subscribers, consent and the delivery ledger outlive the stack: deleting it must not lose them.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // Adding an index to a deployed table is an in-place update (DynamoDB builds it from the items that
  // carry its keys); the archive adapter gives older items those keys on its first whole read.
  for (const index of keys.indexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: attribute(index.partitionKey),
      ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...index.include],
    });
  }
  return table;
}

/**
 * Gazette's state in DynamoDB (key schemas in functions/shared/tables.ts): the subscribers, the
 * delivery ledger that makes each (digest, subscriber) mail happen once, the state table (digest
 * archive with its index, run lease, processed SES notifications) and the feed sources with their seen
 * items. Grants give each function only the access it uses.
 */
export class Data extends Construct {
  /** The subscribers, one item per address. */
  readonly subscribers: dynamodb.Table;
  /** The delivery ledger, one item per (digest, subscriber) mail. */
  readonly deliveries: dynamodb.Table;
  /** Archive, run lease, processed notifications and counters; items expire by the TTL attribute. */
  readonly state: dynamodb.Table;
  /** The followed feed sources and the items seen in each (never new twice). */
  readonly sources: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.subscribers = gazetteTable(this, 'Subscribers', TABLE_KEYS.subscribers);
    this.deliveries = gazetteTable(this, 'Deliveries', TABLE_KEYS.deliveries);
    this.state = gazetteTable(this, 'State', TABLE_KEYS.state);
    this.sources = gazetteTable(this, 'Sources', TABLE_KEYS.sources);
  }

  /**
   * Read/write item access to the sources table for the publisher: it queries the sources, updates each
   * conditionally and marks items seen with conditional puts. Sets GAZETTE_SOURCES_TABLE.
   */
  grantSources(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.sourcesTable, this.sources.tableName);
    this.sources.grant(fn, 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem');
  }

  /** Read-only access to the subscribers (the publisher lists confirmed ones); sets GAZETTE_SUBSCRIBERS_TABLE. */
  grantReadSubscribers(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.subscribersTable, this.subscribers.tableName);
    this.subscribers.grantReadData(fn);
  }

  /**
   * Item access to the subscribers for the functions that face the internet or SES (the API, the SES
   * events): read one subscriber and change one conditionally. No Scan, DeleteItem or batch writes, so a
   * flaw there cannot dump or wipe the list. Sets GAZETTE_SUBSCRIBERS_TABLE.
   */
  grantSubscriberItems(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.subscribersTable, this.subscribers.tableName);
    this.subscribers.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }

  /**
   * Only the named item actions on the state table (the API counts requests with UpdateItem; the SES
   * events read and write completion marks with GetItem and PutItem). Sets GAZETTE_STATE_TABLE.
   */
  grantStateItems(fn: ConfigurableFunction, ...actions: ('GetItem' | 'PutItem' | 'UpdateItem')[]): void {
    fn.addEnvironment(ENV.stateTable, this.state.tableName);
    // The table only: `Table.grant` would add `index/*` too (the archive index), which item actions never use.
    iam.Grant.addToPrincipal({ grantee: fn, actions: actions.map((action) => `dynamodb:${action}`), resourceArns: [this.state.tableArn] });
  }

  /** Read/write access to the delivery ledger (claim, then record the MessageId); sets GAZETTE_DELIVERIES_TABLE. */
  grantDeliveries(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.deliveriesTable, this.deliveries.tableName);
    this.deliveries.grantReadWriteData(fn);
  }

  /** Read/write access to the state table (the publisher's archive and run lease); sets GAZETTE_STATE_TABLE. */
  grantState(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.stateTable, this.state.tableName);
    this.state.grantReadWriteData(fn);
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArnOf(this.state)}/index/*]`,
      reason: `The publisher queries the state table's one index (${ARCHIVE_INDEX.name}): the archive listed without a Scan.`,
    });
  }
}
