/**
 * The one DynamoDB table, described once. The CDK construct and the local/test bootstrap both build
 * the table from this definition, so the emulator and the cloud never disagree on keys or indexes.
 */
export const TABLE_DEFINITION = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  globalSecondaryIndexes: [
    /** Inverted lookups: a user's memberships, and later an organization's members etc. */
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ],
} as const;

export type GsiName = (typeof TABLE_DEFINITION.globalSecondaryIndexes)[number]['indexName'];
