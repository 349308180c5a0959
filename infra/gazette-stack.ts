import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { feedLinks } from '../functions/core/render/outputs.js';
import { SUBSCRIPTION_ROUTES } from '../functions/core/subscriptions/links.js';
import { ENV } from '../functions/shared/env-names.js';
import { feedUrlOutput, STACK_OUTPUTS, type StackOutputKey } from '../functions/shared/stack-outputs.js';
import { PUBLISHER_METRICS, SENDER_METRICS, SERVICES, SUBSCRIPTION_API_METRICS } from '../functions/shared/metric-names.js';
import type { GazetteSettings } from './config.js';
import { Data } from './constructs/data.js';
import type { GazetteFunction } from './constructs/gazette-function.js';
import { Mail } from './constructs/mail.js';
import { ModelSummaries } from './constructs/model-summaries.js';
import { Operations } from './constructs/operations.js';
import { ConfirmationSender } from './constructs/confirmation-sender.js';
import { Publisher } from './constructs/publisher.js';
import { Secrets } from './constructs/secrets.js';
import { Sending } from './constructs/sending.js';
import { SesEvents } from './constructs/ses-events.js';
import { Site } from './constructs/site.js';
import { SubscriptionApi } from './constructs/subscription-api.js';

/** Properties of {@link GazetteStack}. */
export interface GazetteStackProps extends StackProps {
  /** Validated deploy settings (infra/config.ts). */
  readonly settings: GazetteSettings;
  /** Project root the functions are bundled from; the repository unless a test says otherwise. */
  readonly projectRoot?: string;
}

/** The constructs every function is wired to, built first. */
interface Shared {
  settings: GazetteSettings;
  root: { projectRoot?: string };
  site: Site;
  data: Data;
  secrets: Secrets;
  mail: Mail;
  /** Gives a function the site's settings: every function renders pages or mail for the same site. */
  describeSite(fn: GazetteFunction): void;
}

/**
 * The whole of Gazette in one stack. Reads like the architecture: a schedule runs the publisher,
 * which reads articles, keeps state in DynamoDB, writes the site behind CloudFront and hands each
 * edition's recipients to the senders, which mail them through SES; the subscription API sits under
 * the same domain; SES events flow back to mark bounces and complaints; alarms watch it all. One
 * method per part, each granting its functions exactly what they use.
 */
export class GazetteStack extends Stack {
  constructor(scope: Construct, id: string, props: GazetteStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const root = props.projectRoot ? { projectRoot: props.projectRoot } : {};

    const site = new Site(this, 'Site', {
      ...(settings.siteDomain && settings.certificateArn
        ? { customDomain: { name: settings.siteDomain, certificateArn: settings.certificateArn } }
        : {}),
    });
    const data = new Data(this, 'Data');
    const secrets = new Secrets(this, 'Secrets');
    const mail = new Mail(this, 'Mail', {
      senderEmail: settings.senderEmail,
      senderName: settings.senderName,
      editionMaxItems: settings.editionMaxItems,
      ...(settings.domain ? { domain: settings.domain } : {}),
      ...(settings.postalAddress ? { postalAddress: settings.postalAddress } : {}),
    });
    const operations = new Operations(this, 'Operations', {
      ...(settings.operatorEmail ? { operatorEmail: settings.operatorEmail } : {}),
    });

    const describeSite = (fn: GazetteFunction): void => {
      site.grantBaseUrl(fn);
      fn.addEnvironment(ENV.siteTitle, settings.siteTitle);
      fn.addEnvironment(ENV.siteDescription, settings.siteDescription);
      fn.addEnvironment(ENV.siteLanguage, settings.language);
      fn.addEnvironment(ENV.timeZone, settings.timeZone);
      fn.addEnvironment(ENV.cadences, settings.cadences.join(','));
      fn.addEnvironment(ENV.defaultCadence, settings.defaultCadence);
    };

    const shared: Shared = { settings, root, site, data, secrets, mail, describeSite };

    const publisher = this.addPublisher(shared);
    const sending = this.addSending(shared, publisher);
    const confirmations = this.addConfirmationSender(shared);
    const api = this.addSubscriptionApi(shared, confirmations);
    const sesEvents = this.addSesEvents(shared);
    this.addAlarms(operations, { publisher, sending, confirmations, api, sesEvents });
    this.addOutputs(shared, publisher, sending);
  }

  /** Publisher: scheduled; articles → digests → site, feeds and editions. */
  private addPublisher({ settings, root, site, data, secrets, mail, describeSite }: Shared): Publisher {
    const publisher = new Publisher(this, 'Publisher', {
      schedule: settings.schedule,
      timeZone: settings.timeZone,
      publishSeeds: settings.publishSeeds,
      ...root,
    });
    describeSite(publisher.function);
    publisher.function.addEnvironment(ENV.feedLength, String(settings.feedLength));
    publisher.function.addEnvironment(ENV.staleAfterMinutes, String(settings.staleAfterMinutes));
    publisher.function.addEnvironment(ENV.maxAgeToMailHours, String(settings.maxAgeToMailHours));
    publisher.function.addEnvironment(ENV.sourcePauseAfterErrors, String(settings.sourcePauseAfterErrors));
    publisher.function.addEnvironment(ENV.allowPrivateNetwork, String(settings.allowPrivateNetwork));
    publisher.function.addEnvironment(ENV.fetchTimeoutSeconds, String(settings.fetchTimeoutSeconds));
    publisher.function.addEnvironment(ENV.maxFeedBytes, String(settings.maxFeedBytes));
    site.grantPublish(publisher.function);
    data.grantReadSubscribers(publisher.function);
    data.grantDeliveries(publisher.function);
    data.grantState(publisher.function);
    data.grantSources(publisher.function);
    secrets.grantReadTokenKeys(publisher.function);
    // It renders the mail but sends none: the sender functions do (below).
    mail.describeSender(publisher.function);
    // Optional: a Bedrock model writes the digests (the extractive summariser stays the fallback).
    if (settings.summarizer === 'bedrock') {
      const models = new ModelSummaries(this, 'ModelSummaries', {
        modelId: settings.bedrockModelId,
        dailyTokenBudget: settings.bedrockDailyTokenBudget,
      });
      models.grantSummarize(publisher.function);
    }

    return publisher;
  }

  /**
   * Sending: the publisher renders each delivery once and enqueues its recipients; sender functions
   * (concurrency sized from MaxSendRate) personalise, claim and mail them at the account's full rate.
   */
  private addSending({ settings, root, data, secrets, mail, describeSite }: Shared, publisher: Publisher): Sending {
    const sending = new Sending(this, 'Sending', { maxSendRate: settings.maxSendRate, ...root });
    sending.grantEnqueue(publisher.function);
    describeSite(sending.function);
    data.grantDeliveries(sending.function);
    // The shared pause: read before each batch, written by the sender that meets the quota.
    data.grantStateItems(sending.function, 'GetItem', 'UpdateItem');
    secrets.grantReadTokenKeys(sending.function);
    // The quota read divides MaxSendRate among the senders.
    mail.grantSend(sending.function, { readQuota: true });

    return sending;
  }

  /** Confirmation sender: decides and mails each queued sign-up, after the API has answered. */
  private addConfirmationSender({ settings, root, data, secrets, mail, describeSite }: Shared): ConfirmationSender {
    const confirmations = new ConfirmationSender(this, 'ConfirmationSender', root);
    describeSite(confirmations.function);
    data.grantSubscriberItems(confirmations.function);
    // GetItem and PutItem keep the confirmation cap's counter.
    data.grantStateItems(confirmations.function, 'GetItem', 'PutItem');
    confirmations.function.addEnvironment(ENV.maxConfirmationsPerDay, String(settings.maxConfirmationsPerDay));
    secrets.grantReadTokenKeys(confirmations.function);
    secrets.grantReadSubscriberIdKey(confirmations.function);
    // The quota read lowers the confirmation cap to a tenth of the daily quota.
    mail.grantSend(confirmations.function, { readQuota: true });

    return confirmations;
  }

  /** Subscription API: same domain under /api/*; answers, queues sign-ups, confirms, unsubscribes. */
  private addSubscriptionApi(
    { root, site, data, secrets, mail, describeSite }: Shared,
    confirmations: ConfirmationSender,
  ): SubscriptionApi {
    const api = new SubscriptionApi(this, 'SubscriptionApi', root);
    site.addApi(api.origin);
    describeSite(api.function);
    mail.describeSender(api.function);
    data.grantSubscriberItems(api.function);
    // UpdateItem counts requests per client.
    data.grantStateItems(api.function, 'UpdateItem');
    secrets.grantReadTokenKeys(api.function);
    confirmations.grantEnqueue(api.function);

    return api;
  }

  /** SES events: bounces and complaints change subscriber status, each notification once. */
  private addSesEvents({ root, data, secrets, mail }: Shared): SesEvents {
    const sesEvents = new SesEvents(this, 'SesEvents', { topic: mail.eventsTopic, ...root });
    data.grantSubscriberItems(sesEvents.function);
    data.grantStateItems(sesEvents.function, 'GetItem', 'PutItem');
    // Bounces and complaints name addresses; the id key turns them into subscriber ids.
    secrets.grantReadSubscriberIdKey(sesEvents.function);

    return sesEvents;
  }

  /** Alarms on every function's errors and dead letters, and on the counts an operator must act on. */
  private addAlarms(
    operations: Operations,
    {
      publisher,
      sending,
      confirmations,
      api,
      sesEvents,
    }: { publisher: Publisher; sending: Sending; confirmations: ConfirmationSender; api: SubscriptionApi; sesEvents: SesEvents },
  ): void {
    operations.alarmOnErrors('PublisherErrors', publisher.function.function, 'The publisher');
    operations.alarmOnDeadLetters('PublisherDeadLetters', publisher.deadLetterQueue, 'The publisher schedule');
    operations.alarmOnErrors('SenderErrors', sending.function.function, 'The sender');
    operations.alarmOnDeadLetters('SendDeadLetters', sending.deadLetterQueue, 'Sending (a message failed 30 times)');
    operations.alarmOnErrors('SubscriptionApiErrors', api.function.function, 'The subscription API');
    operations.alarmOnErrors('ConfirmationSenderErrors', confirmations.function.function, 'The confirmation sender');
    operations.alarmOnDeadLetters('ConfirmationDeadLetters', confirmations.deadLetterQueue, 'Confirmation mails');
    operations.alarmOnErrors('SesEventsErrors', sesEvents.function.function, 'SES event handling');
    operations.alarmOnDeadLetters('SesEventsDeadLetters', sesEvents.deadLetterQueue, 'SES event handling');
    operations.alarmOnAppMetric(
      'SenderRejected',
      { service: SERVICES.publisher, name: PUBLISHER_METRICS.senderRejected },
      {
        threshold: 1,
        period: Duration.minutes(5),
        description: 'SES refused the sender or the account (unverified identity, sending paused): nothing is mailed until you fix it',
      },
    );
    // With the send queue the mail goes out in the sender: the same two alarms on its counts.
    operations.alarmOnAppMetric(
      'SendingSenderRejected',
      { service: SERVICES.sender, name: SENDER_METRICS.senderRejected },
      {
        threshold: 1,
        period: Duration.minutes(5),
        description: 'SES refused the sender or the account while sending the queue: nothing is mailed until you fix it',
      },
    );
    operations.alarmOnAppMetric(
      'SendingMailsFailed',
      { service: SERVICES.sender, name: SENDER_METRICS.mailsFailed },
      { threshold: 20, period: Duration.hours(1), description: 'SES refused 20 or more recipients of the send queue within an hour' },
    );
    operations.alarmOnAppMetric(
      'ConfirmationCapReached',
      { service: SERVICES.confirmationSender, name: SUBSCRIPTION_API_METRICS.confirmationCapReached },
      {
        threshold: 1,
        period: Duration.hours(1),
        description: 'The cap on confirmation mails was reached: sign-ups get the usual answer but no mail (a flood at the form?)',
      },
    );
    // A few refused recipients a day are normal (typos, full mailboxes); a burst means a bad import.
    operations.alarmOnAppMetric(
      'MailsFailed',
      { service: SERVICES.publisher, name: PUBLISHER_METRICS.mailsFailed },
      { threshold: 20, period: Duration.hours(1), description: 'SES refused 20 or more recipients within an hour' },
    );

    // A send that ended in an unknown way is never retried by itself: someone should look at it.
    operations.alarmOnAppMetric(
      'MailsInDoubt',
      { service: SERVICES.publisher, name: PUBLISHER_METRICS.mailsInDoubt },
      {
        threshold: 1,
        period: Duration.minutes(5),
        description: 'A send failed in an unknown way: the pair stays claimed and is never re-sent; check whether it arrived',
      },
    );
  }

  /** What the operator reads after a deploy, and what the operator commands look up. */
  private addOutputs({ settings, site, data, secrets }: Shared, publisher: Publisher, sending: Sending): void {
    const output = (key: StackOutputKey, description: string, value: string): void => {
      new CfnOutput(this, key, { description, value });
    };
    output(STACK_OUTPUTS.siteUrl, 'The public site', site.baseUrl);
    if (settings.siteDomain) {
      output(
        STACK_OUTPUTS.siteDnsRecord,
        `The DNS record that points ${settings.siteDomain} at CloudFront (at a zone apex: an ALIAS/ANAME to the same target)`,
        `${settings.siteDomain} CNAME ${site.distribution.distributionDomainName}`,
      );
    }
    // One output per feed of the registry: RssFeedUrl, AtomFeedUrl, JsonFeedUrl.
    for (const feed of feedLinks({ baseUrl: site.baseUrl })) {
      new CfnOutput(this, feedUrlOutput(feed.name), { description: feed.description, value: feed.url });
    }
    output(STACK_OUTPUTS.subscribeEndpoint, 'Where the subscribe form posts', `${site.baseUrl}${SUBSCRIPTION_ROUTES.subscribe.path}`);
    output(STACK_OUTPUTS.siteBucketName, 'Drop articles under inbox/ in this bucket', site.bucket.bucketName);
    output(
      STACK_OUTPUTS.subscribersTableName,
      'For the operator command: npx gazette subscribers list --table <this>',
      data.subscribers.tableName,
    );
    output(
      STACK_OUTPUTS.subscriberIdSecretArn,
      'For the operator command with --table: add, import and remove need --id-secret <this>',
      secrets.subscriberIdKey.secretArn,
    );
    output(STACK_OUTPUTS.sourcesTableName, 'For the operator command: npx gazette sources list --table <this>', data.sources.tableName);
    // What the operator commands (gazette run, status, send-test --stack, unpublish --stack) look up.
    output(
      STACK_OUTPUTS.publisherFunctionName,
      'The publisher: npx gazette run --stack <stack> invokes it',
      publisher.function.function.functionName,
    );
    output(STACK_OUTPUTS.stateTableName, 'Archive, run lease and the last run (npx gazette status)', data.state.tableName);
    output(STACK_OUTPUTS.deliveriesTableName, 'The delivery ledger', data.deliveries.tableName);
    output(STACK_OUTPUTS.sendQueueUrl, 'The send queue (npx gazette status shows its depth)', sending.queue.queueUrl);
    output(STACK_OUTPUTS.sendDeadLetterQueueUrl, "The send queue's dead-letter queue", sending.deadLetterQueue.queueUrl);
  }
}
