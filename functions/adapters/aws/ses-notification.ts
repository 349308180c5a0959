/**
 * Reads SES's notification format at the edge: configuration-set event publishing (`eventType`) and
 * identity notifications (`notificationType`) both become one domain {@link FeedbackEvent}, so the core
 * never sees an SES field name. SES adds fields over time: unknown keys are allowed, only what we read
 * is checked.
 */
import { z } from 'zod';
import type { FeedbackEvent } from '../../core/subscriptions/feedback.js';

const recipients = z.array(z.looseObject({ emailAddress: z.string() })).default([]);

const notificationSchema = z.looseObject({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.looseObject({ messageId: z.string().optional() }).optional(),
  bounce: z
    .looseObject({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      feedbackId: z.string().optional(),
      bouncedRecipients: recipients,
    })
    .optional(),
  complaint: z
    .looseObject({
      feedbackId: z.string().optional(),
      complaintFeedbackType: z.string().optional(),
      complainedRecipients: recipients,
    })
    .optional(),
});

/**
 * The domain meaning of one SES notification (already JSON-parsed from the SNS message). `Permanent`
 * bounces are hard; `Transient` (out-of-office, mailbox full) and `Undetermined` are soft. The feedback
 * id, else the message id plus the type, identifies the notification across SNS's re-deliveries.
 * Throws a `ZodError` for a message that is not an SES notification at all, so it shows up in the
 * function's errors.
 */
export function parseSesNotification(notification: unknown): FeedbackEvent {
  const event = notificationSchema.parse(notification);
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
