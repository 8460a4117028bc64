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
  /**
   * Warm write throughput of the table (write units/s it serves from the moment it is created). A new
   * on-demand table starts at 4,000 and then grows to twice its previous peak at most every 30 minutes.
   * A PIN sign-in writes ≈ 15 units (start ≈ 9, complete ≈ 6), of which 2 are the audit events'
   * gsi1 entries (gsi1 has its own default of 4,000/s), so 1,000 sign-ins/s is ≈ 13,000/s on the table;
   * 16,000 covers even the whole 15,000 and leaves room for the rest of the API. Raising warm throughput
   * above the default is billed once, and it can never be lowered (an update that lowers it fails).
   * At least the on-demand default, 4,000.
   * @default 16_000
   */
  readonly warmWriteUnitsPerSecond?: number;
  /**
   * Warm read throughput (read units/s). A PIN sign-in reads ≈ 8 units (strongly consistent), so
   * 1,000 sign-ins/s is ≈ 8,000/s: the on-demand default of 12,000 already covers it with 50 % to
   * spare, so the default is that value, stated so a deployment shows it. At least 12,000.
   * @default 12_000
   */
  readonly warmReadUnitsPerSecond?: number;
}

/** Warm throughput of a fresh deployment, sized for 1,000 PIN sign-ins/s (see `DataTableProps`). */
export const DEFAULT_WARM_THROUGHPUT = { writeUnitsPerSecond: 16_000, readUnitsPerSecond: 12_000 } as const;
/** What a new on-demand table gets anyway; asking for less is an error. */
const ON_DEMAND_WARM_THROUGHPUT = { writeUnitsPerSecond: 4_000, readUnitsPerSecond: 12_000 } as const;

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
    const warmThroughput = {
      writeUnitsPerSecond: props.warmWriteUnitsPerSecond ?? DEFAULT_WARM_THROUGHPUT.writeUnitsPerSecond,
      readUnitsPerSecond: props.warmReadUnitsPerSecond ?? DEFAULT_WARM_THROUGHPUT.readUnitsPerSecond,
    };
    for (const name of ['writeUnitsPerSecond', 'readUnitsPerSecond'] as const) {
      const value = warmThroughput[name];
      const minimum = ON_DEMAND_WARM_THROUGHPUT[name];
      if (!Number.isInteger(value) || value < minimum) throw new Error(`warm ${name} must be a whole number ≥ ${minimum}, not ${String(value)}`);
    }
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
      // Pre-warmed so that a fresh deployment takes 1,000 sign-ins/s from day one (see the props).
      // gsi1 keeps DynamoDB's default (4,000 WRU/12,000 RRU): a sign-in writes 2 of its units.
      warmThroughput,
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
