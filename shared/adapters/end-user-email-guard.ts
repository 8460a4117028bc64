/**
 * The writes of an end user's email guard (items/email-guard-item.ts), for the transactions of the
 * end-user and access-grant repositories. The guard makes the email unique in the organization and
 * carries the user's sign-in copy, so every write of the user or of one of its grants updates the
 * guard in the same transaction; each write is conditional on the guard naming that user.
 */
import type { EndUser } from '../domain/sign-in/model.ts';
import type { TransactItem } from './dynamodb.ts';
import { emailGuardKey, guardGrantAttribute, toEmailGuardItem } from './items/email-guard-item.ts';

/** A new guard with its user's sign-in copy and the given grants; fails if the email is taken. */
export function putEmailGuard(tableName: string, user: EndUser, grants: { systemName: string; incarnation: string }[]): TransactItem {
  return { Put: { TableName: tableName, Item: toEmailGuardItem(user, grants), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** The user's record on its (unmoved) guard. */
export function updateGuardCopy(tableName: string, user: EndUser): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: emailGuardKey(user.organizationId, user.email),
      UpdateExpression: 'SET #user = :user',
      ConditionExpression: 'userId = :userId',
      ExpressionAttributeNames: { '#user': 'user' },
      ExpressionAttributeValues: { ':user': user, ':userId': user.id },
    },
  };
}

/** A grant (its incarnation) on the user's guard, or off it (`null`). */
export function setGuardGrant(tableName: string, user: EndUser, systemName: string, incarnation: string | null): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: emailGuardKey(user.organizationId, user.email),
      UpdateExpression: incarnation === null ? 'REMOVE #grant' : 'SET #grant = :incarnation',
      ConditionExpression: 'userId = :userId',
      ExpressionAttributeNames: { '#grant': guardGrantAttribute(systemName) },
      ExpressionAttributeValues: { ':userId': user.id, ...(incarnation === null ? {} : { ':incarnation': incarnation }) },
    },
  };
}

/** Never removes another user's guard. */
export function deleteEmailGuard(tableName: string, user: EndUser): TransactItem {
  return {
    Delete: {
      TableName: tableName,
      Key: emailGuardKey(user.organizationId, user.email),
      ConditionExpression: 'attribute_not_exists(pk) OR userId = :userId',
      ExpressionAttributeValues: { ':userId': user.id },
    },
  };
}
