import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/env-names.js';
import { serviceActingFor } from './service-principal.js';
import type { ConfigurableFunction } from './gazette-function.js';

/** Properties of {@link Mail}. */
export interface MailProps {
  /** The From address of every mail. */
  readonly senderEmail: string;
  /** The From display name. */
  readonly senderName: string;
  /** When set, the whole domain is verified with Easy DKIM instead of the single address. */
  readonly domain?: string;
  /** The sender's postal address, printed in every edition's footer when set. */
  readonly postalAddress?: string;
  /** Digests an edition email shows in full. */
  readonly editionMaxItems: number;
}

/** The SES events the app acts on: hard bounces and complaints stop mail, the rest is logged. */
export const MAIL_EVENTS = [
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.RENDERING_FAILURE,
  ses.EmailSendingEvent.DELIVERY_DELAY,
] as const;

/**
 * Sending mail through SES: the sender identity (address, or domain with Easy DKIM), a configuration
 * set every message goes through (account suppression of bounces and complaints, reputation metrics,
 * TLS required), and an encrypted SNS topic receiving its bounce, complaint, reject, rendering-failure
 * and delivery-delay events for the ses-events function.
 */
export class Mail extends Construct {
  /** The configuration set named in every send. */
  readonly configurationSet: ses.ConfigurationSet;
  /** The verified sender identity. */
  readonly identity: ses.EmailIdentity;
  /** Receives the configuration set's events. */
  readonly eventsTopic: sns.Topic;
  private readonly props: MailProps;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.props = props;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      sendingEnabled: true,
      // A digest still undelivered after half a day is news no longer (SES allows at most 14 h).
      maxDeliveryDuration: Duration.hours(12),
    });

    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: props.domain ? ses.Identity.domain(props.domain) : ses.Identity.email(props.senderEmail),
      configurationSet: this.configurationSet,
      ...(props.domain ? { dkimIdentity: ses.DkimIdentity.easyDkim(), dkimSigning: true } : {}),
    });

    // Events carry subscriber addresses, so the topic is encrypted; SES can only publish to a topic
    // whose key policy lets it, which an AWS-managed key cannot, hence a customer-managed key.
    const key = new kms.Key(this, 'EventsKey', {
      description: 'Encrypts the Gazette SES events topic',
      enableKeyRotation: true,
    });
    key.grant(serviceActingFor('ses.amazonaws.com', this.configurationSetArn), 'kms:GenerateDataKey*', 'kms:Decrypt');
    this.eventsTopic = new sns.Topic(this, 'Events', {
      displayName: 'Gazette SES events',
      masterKey: key,
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('ToTopic', {
      destination: ses.EventDestination.snsTopic(this.eventsTopic),
      events: [...MAIL_EVENTS],
    });

    if (props.domain) {
      this.identity.dkimRecords.forEach((record, index) => {
        new CfnOutput(this, `DkimRecord${index + 1}`, {
          description: `DNS record ${index + 1} of 3 to add for ${props.domain} (Easy DKIM)`,
          value: `${record.name} CNAME ${record.value}`,
        });
      });
    }
  }

  /** ARN of the configuration set, the second resource every send is authorised against. */
  get configurationSetArn(): string {
    return Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /**
   * Tells `fn` who the sender is without letting it send: GAZETTE_SENDER_ADDRESS, GAZETTE_SENDER_NAME
   * and GAZETTE_SES_CONFIGURATION_SET, for a function that renders mail another function sends (the
   * publisher, which enqueues for the sender).
   */
  describeSender(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.senderAddress, this.props.senderEmail);
    fn.addEnvironment(ENV.senderName, this.props.senderName);
    if (this.props.postalAddress) fn.addEnvironment(ENV.postalAddress, this.props.postalAddress);
    fn.addEnvironment(ENV.editionMaxItems, String(this.props.editionMaxItems));
    fn.addEnvironment(ENV.sesConfigurationSet, this.configurationSet.configurationSetName);
  }

  /**
   * Lets `fn` send mail as the sender and nobody else: `ses:SendRawEmail`/`ses:SendEmail` on the
   * identity and the configuration set only, with `ses:FromAddress` pinned to the sender address.
   * Sets GAZETTE_SENDER_ADDRESS, GAZETTE_SENDER_NAME, GAZETTE_EDITION_MAX_ITEMS, GAZETTE_POSTAL_ADDRESS (when
   * set) and GAZETTE_SES_CONFIGURATION_SET.
   * With `readQuota`, also `ses:GetSendQuota` (IAM offers it only on "*").
   */
  grantSend(fn: ConfigurableFunction, options: { readQuota?: boolean } = {}): void {
    this.describeSender(fn);
    fn.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendRawEmail', 'ses:SendEmail'],
        resources: [this.identity.emailIdentityArn, this.configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': this.props.senderEmail } },
      }),
    );
    if (options.readQuota) {
      fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ses:GetSendQuota'], resources: ['*'] }));
    }
  }
}
