import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_DEFINITION } from '#shared/data/table.ts';

export interface DataTableProps {
  /**
   * Keep the table (deletion protection + RETAIN) when the stack or the resource goes away.
   * @default false
   */
  readonly retain?: boolean;
}

const string = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * The single table, built from the same `TABLE_DEFINITION` that DynamoDB Local is created from, so
 * keys and indexes cannot drift between the cloud and `npm start`.
 */
export class DataTable extends Construct {
  readonly table: TableV2;
  /** ARNs of the secondary indexes, for grants that must not use an `index/*` wildcard. */
  readonly indexArns: string[];

  constructor(scope: Construct, id: string, props: DataTableProps = {}) {
    super(scope, id);
    const retain = props.retain ?? false;
    this.table = new TableV2(this, 'Table', {
      partitionKey: string(TABLE_DEFINITION.partitionKey),
      sortKey: string(TABLE_DEFINITION.sortKey),
      globalSecondaryIndexes: TABLE_DEFINITION.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: string(index.partitionKey),
        sortKey: string(index.sortKey),
      })),
      timeToLiveAttribute: TABLE_DEFINITION.ttlAttribute,
      billing: Billing.onDemand(),
      // The AWS-managed key puts every table key use in CloudTrail without a key policy to maintain
      // or a kms grant on each function; the secrets that matter are encrypted again by the app (KMS
      // data keys) or hashed before they reach the table.
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.indexArns = TABLE_DEFINITION.globalSecondaryIndexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`);
  }
}
