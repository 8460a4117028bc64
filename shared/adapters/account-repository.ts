import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountPatch, AccountStore } from '../domain/tenancy/accounts.ts';
import type { AuditEvent } from '../domain/kernel/audit-events.ts';
import type { AccountProfile } from '../domain/kernel/model.ts';
import { auditEventPut } from './audit-repository.ts';
import { getItem, transactWrite } from './dynamodb.ts';
import { accountKey, fromAccountItem } from './items/account-item.ts';

/** The account profile item (written first by signup). */
export class AccountRepository implements AccountStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findAccountProfile(accountId: string): Promise<(AccountProfile & { updatedAt: string }) | undefined> {
    const item = await getItem(this.db, this.tableName, accountKey(accountId));
    return item ? fromAccountItem(item) : undefined;
  }

  /**
   * SETs exactly the fields given, so `ownerCount` (kept by member changes) is never overwritten;
   * the audit event commits with it or not at all.
   */
  async updateAccountProfile(accountId: string, patch: AccountPatch, updatedAt: string, event: AuditEvent): Promise<boolean> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': updatedAt };
    const sets = ['#updatedAt = :updatedAt'];
    const set = (attribute: string, value: unknown) => {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`#${attribute} = :${attribute}`);
    };
    if (patch.name !== undefined) set('name', patch.name);
    if (patch.billingContact !== undefined) set('billingContact', patch.billingContact);
    if (patch.settings !== undefined) set('settings', patch.settings);
    const failed = await transactWrite(this.db, {
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: accountKey(accountId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
        auditEventPut(this.tableName, event),
      ],
    });
    return !failed.includes(0);
  }
}
