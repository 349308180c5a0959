/**
 * The names of the deployed stack's CloudFormation outputs, declared once: the CDK stack creates its
 * outputs under these names and the operator commands (`gazette run`, `status`, `send-test --stack`,
 * `unpublish --stack`) find the resources by them through DescribeStacks. Side-effect free (no SDK, no
 * CDK), so infra and the CLI both import it.
 */

/** The stack's name in infra/app.ts, and what `--stack` defaults to. */
export const DEFAULT_STACK_NAME = 'Gazette';

/** Output keys, by what they name. */
export const STACK_OUTPUTS = {
  /** The public base URL of the site. */
  siteUrl: 'SiteUrl',
  /** With a custom site domain: the DNS record to add. */
  siteDnsRecord: 'SiteDnsRecord',
  subscribeEndpoint: 'SubscribeEndpoint',
  siteBucketName: 'SiteBucketName',
  subscribersTableName: 'SubscribersTableName',
  subscriberIdSecretArn: 'SubscriberIdSecretArn',
  sourcesTableName: 'SourcesTableName',
  /** The scheduled publisher function: `gazette run` invokes it; its environment holds the deployed settings. */
  publisherFunctionName: 'PublisherFunctionName',
  /** The archive, the run lease and the publisher's last-run record. */
  stateTableName: 'StateTableName',
  /** The delivery ledger. */
  deliveriesTableName: 'DeliveriesTableName',
  /** The send queue the publisher fills and the senders drain, and its dead-letter queue. */
  sendQueueUrl: 'SendQueueUrl',
  sendDeadLetterQueueUrl: 'SendDeadLetterQueueUrl',
} as const;

/** One of the output keys above. */
export type StackOutputKey = (typeof STACK_OUTPUTS)[keyof typeof STACK_OUTPUTS];

/** The output key of one feed of the output registry: `rss` → `RssFeedUrl`. */
export function feedUrlOutput(feedName: string): string {
  return `${feedName.charAt(0).toUpperCase()}${feedName.slice(1)}FeedUrl`;
}
