import { emailFeedback } from '#shared/compose/platform.ts';
import { endInvocation } from '#shared/http/invocation-end.ts';
import { logger } from '#shared/http/logger.ts';
import { readSesFeedback, snsMessagesOf } from '#shared/http/ses-feedback.ts';

/**
 * The e-mail feedback function: SES publishes the bounces and complaints of the deployment's
 * configuration set to an SNS topic, which invokes this. A permanent bounce or a complaint marks its
 * recipients undeliverable (the mailer sends them nothing more); a transient bounce marks nothing.
 *
 * A malformed message is logged and dropped, never thrown: SNS and Lambda would retry it, and it would
 * fail the same way each time. A failed write throws, so Lambda retries the invocation (twice, as it
 * does every asynchronous one); the write is idempotent, so a replayed report changes nothing.
 */
export const handler = async (event: unknown): Promise<void> => {
  try {
    const read = snsMessagesOf(event);
    if ('problems' in read) {
      logger.error('e-mail feedback dropped: not an SNS event', { problems: read.problems });
      return;
    }
    for (const message of read.messages) {
      const feedback = readSesFeedback(message.body);
      if (feedback.status === 'malformed') {
        logger.error('e-mail feedback dropped: malformed SES notification', { snsMessageId: message.id, problems: feedback.problems });
        continue;
      }
      if (feedback.status === 'ignored') {
        logger.info('e-mail feedback ignored: not a bounce or complaint', { snsMessageId: message.id, eventType: feedback.eventType });
        continue;
      }
      const outcome = await emailFeedback().record(feedback.feedback);
      // Addresses masked (`j***@e***.com`): the log says what happened, never to whom.
      if (outcome.reason === 'transient-bounce') {
        logger.info('e-mail feedback: transient bounce, address kept', { snsMessageId: message.id, recipients: outcome.recipients });
      } else {
        logger.warn('e-mail addresses marked undeliverable', { snsMessageId: message.id, reason: outcome.reason, recipients: outcome.recipients });
      }
    }
  } finally {
    // No handler wrapper here: publish the invocation's metrics (EmailSuppressed) the way it would.
    endInvocation();
  }
};
