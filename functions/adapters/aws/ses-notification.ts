/**
 * Reads SES's notification format at the edge: configuration-set event publishing (`eventType`) and
 * identity notifications (`notificationType`) both become one domain {@link FeedbackEvent}, so the core
 * never sees an SES field name. SES adds fields over time: unknown keys are allowed, only what we read
 * is checked.
 */
import * as z from '../../core/zod.js';
import type { FeedbackEvent } from '../../core/subscriptions/feedback.js';

const recipients = z._default(z.array(z.looseObject({ emailAddress: z.string() })), []);

const notificationSchema = z.looseObject({
  eventType: z.optional(z.string()),
  notificationType: z.optional(z.string()),
  mail: z.optional(z.looseObject({ messageId: z.optional(z.string()) })),
  bounce: z.optional(
    z.looseObject({
      bounceType: z.string(),
      bounceSubType: z.optional(z.string()),
      feedbackId: z.optional(z.string()),
      bouncedRecipients: recipients,
    }),
  ),
  complaint: z.optional(
    z.looseObject({
      feedbackId: z.optional(z.string()),
      complaintFeedbackType: z.optional(z.string()),
      complainedRecipients: recipients,
    }),
  ),
});

/**
 * The domain meaning of one SES notification (already JSON-parsed from the SNS message). `Permanent`
 * bounces are hard; `Transient` (out-of-office, mailbox full) and `Undetermined` are soft. The feedback
 * id, else the message id plus the type, identifies the notification across SNS's re-deliveries.
 * Throws a `ZodError` for a message that is not an SES notification at all, so it shows up in the
 * function's errors.
 */
export function parseSesNotification(notification: unknown): FeedbackEvent {
  const event = z.parse(notificationSchema, notification);
  const type = event.eventType ?? event.notificationType ?? 'unknown';
  const messageId = event.mail?.messageId;
  const keyOf = (feedbackId: string | undefined): string | undefined => feedbackId ?? (messageId ? `${messageId}:${type}` : undefined);
  if (type === 'Bounce' && event.bounce) {
    const { bounceType, bounceSubType, feedbackId, bouncedRecipients } = event.bounce;
    return {
      kind: bounceType === 'Permanent' ? 'hard-bounce' : 'soft-bounce',
      recipients: bouncedRecipients.map((recipient) => recipient.emailAddress),
      key: keyOf(feedbackId),
      reason: `bounce: ${bounceType}/${bounceSubType ?? 'General'}`,
    };
  }
  if (type === 'Complaint' && event.complaint) {
    const { complaintFeedbackType, feedbackId, complainedRecipients } = event.complaint;
    return {
      kind: 'complaint',
      recipients: complainedRecipients.map((recipient) => recipient.emailAddress),
      key: keyOf(feedbackId),
      reason: `complaint: ${complaintFeedbackType ?? 'unspecified'}`,
    };
  }
  return { kind: 'other', type };
}
