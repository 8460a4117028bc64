import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EmailSuppressions, UndeliverableReason } from '../domain/platform/email.ts';
import { conditionalWrite } from './dynamodb.ts';
import { emailSuppressionItemKey, fromEmailSuppressionItem, toEmailSuppressionItem, type EmailSuppression } from './items/email-suppression-item.ts';

/** The undeliverable addresses, one item each (items/email-suppression-item.ts). */
export class EmailSuppressionRepository implements EmailSuppressions {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async isUndeliverable(email: string): Promise<boolean> {
    return (await this.findSuppression(email)) !== undefined;
  }

  /** The suppression of an address, if any. Eventually consistent: a report seconds old may be missed once. */
  async findSuppression(email: string): Promise<EmailSuppression | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: emailSuppressionItemKey(email) }));
    return Item ? fromEmailSuppressionItem(Item) : undefined;
  }

  async markUndeliverable(email: string, reason: UndeliverableReason, at: string): Promise<void> {
    // Put only where none is: a replayed notification, or a complaint after the bounce, keeps the
    // first report (and the feedback function's role may put, never update or delete).
    await conditionalWrite(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toEmailSuppressionItem(email, { reason, since: at }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}
