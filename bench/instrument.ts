/**
 * SDK middleware that counts what an operation costs: calls per service (DynamoDB, KMS, SNS), the
 * capacity units, and the wall time spent with at least one DynamoDB call in flight (parallel calls
 * are not counted twice).
 *
 * Read units are the ones DynamoDB Local reports (every input gets `ReturnConsumedCapacity: 'TOTAL'`).
 * Write units are computed from the items, with DynamoDB's published rules, because DynamoDB Local's
 * figures for them are not AWS's: it reports 4 units for a transaction of one small item and also 4
 * for one of four, and leaves out index writes. The rules: a write costs one unit per KB (rounded up)
 * of the larger of the item before and after it, twice that inside a transaction (prepare and commit);
 * each gsi1 entry written or removed costs the same again at the single rate (gsi1 projects all
 * attributes); a transaction's ConditionCheck is a transactional read, two read units per 4 KB.
 * Item sizes (attribute names plus values, as DynamoDB sizes them) come from reading the items just
 * before and after the call through a client of the benchmark's own, which is not counted.
 */
import type { MiddlewareStack } from '@smithy/types';

export interface Tally {
  dynamodb: number;
  kms: number;
  sns: number;
  readUnits: number;
  writeUnits: number;
  /** Milliseconds during which a DynamoDB call was in flight. */
  dynamodbBusyMs: number;
  /** DynamoDB operations in call order with their units, e.g. `GetItem 1R`, `TransactWriteItems 4W`. */
  operations: string[];
}

export const emptyTally = (): Tally => ({ dynamodb: 0, kms: 0, sns: 0, readUnits: 0, writeUnits: 0, dynamodbBusyMs: 0, operations: [] });

let current = emptyTally();
/** Off while the load runs: sizing writes costs two reads each, which would slow what is measured. */
let sizing = true;
export function sizeWrites(enabled: boolean): void {
  sizing = enabled;
}
let inFlight = 0;
let busySince = 0;

/** Starts a new tally and answers the previous one. */
export function resetTally(): Tally {
  const previous = current;
  current = emptyTally();
  return previous;
}

export const readTally = (): Tally => ({ ...current, operations: [...current.operations] });

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

function addCapacity(tally: Tally, operation: string, consumed: Capacity | Capacity[] | undefined): void {
  for (const capacity of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    if (capacity.ReadCapacityUnits !== undefined || capacity.WriteCapacityUnits !== undefined) {
      tally.readUnits += capacity.ReadCapacityUnits ?? 0;
      tally.writeUnits += capacity.WriteCapacityUnits ?? 0;
    } else if (READS.has(operation)) tally.readUnits += capacity.CapacityUnits ?? 0;
    else tally.writeUnits += capacity.CapacityUnits ?? 0;
  }
}

type Item = Record<string, unknown>;
/** Reads an item outside the tally (the benchmark's own client). */
export type ItemProbe = (tableName: string, key: Item) => Promise<Item | undefined>;

/** One write (or check) of a request: its table, key and kind. */
interface Touch {
  tableName: string;
  key: Item;
  kind: 'write' | 'check';
  transactional: boolean;
}

const plain = (value: unknown): unknown => (value && typeof value === 'object' && 'S' in value ? (value).S : value);
const keyOf = (item: Item): Item => ({ pk: plain(item.pk), sk: plain(item.sk) });

/** What a write request touches; empty for reads. */
function touchesOf(operation: string, input: Item): Touch[] {
  const table = (value: unknown) => value as string;
  switch (operation) {
    case 'PutItem':
      return [{ tableName: table(input.TableName), key: keyOf(input.Item as Item), kind: 'write', transactional: false }];
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ tableName: table(input.TableName), key: keyOf(input.Key as Item), kind: 'write', transactional: false }];
    case 'BatchWriteItem':
      return Object.entries(input.RequestItems as Record<string, Item[]>).flatMap(([tableName, requests]) =>
        requests.map((request) => {
          const put = request.PutRequest as { Item: Item } | undefined;
          const key = put ? put.Item : (request.DeleteRequest as { Key: Item }).Key;
          return { tableName, key: keyOf(key), kind: 'write' as const, transactional: false };
        }),
      );
    case 'TransactWriteItems':
      return (input.TransactItems as Item[]).map((action) => {
        const [kind, body] = Object.entries(action)[0] as [string, Item];
        return { tableName: table(body.TableName), key: keyOf((body.Item ?? body.Key) as Item), kind: kind === 'ConditionCheck' ? ('check' as const) : ('write' as const), transactional: true };
      });
    default:
      return [];
  }
}

/** DynamoDB's size of a value: strings and binaries by bytes, numbers by digits, documents with their overhead. */
function sizeOfValue(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') return Math.ceil(String(value).replace(/^-|\.|e.*$/g, '').length / 2) + 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...(value as Set<unknown>)].reduce<number>((sum, element) => sum + sizeOfValue(element), 0);
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + 1 + sizeOfValue(element), 0);
  return 3 + Object.entries(value as Item).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + sizeOfValue(element), 0);
}

export const itemSize = (item: Item | undefined): number =>
  item ? Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + sizeOfValue(value), 0) : 0;

/** Units of one touch from the item before and after the call (see the file comment). */
function unitsOf(touch: Touch, before: Item | undefined, after: Item | undefined): { read: number; write: number } {
  const size = Math.max(itemSize(before), itemSize(after));
  if (touch.kind === 'check') return { read: 2 * Math.max(1, Math.ceil(size / 4096)), write: 0 };
  const perCopy = Math.max(1, Math.ceil(size / 1024));
  const table = touch.transactional ? 2 * perCopy : perCopy;
  const indexed = [before, after].filter((item) => item?.gsi1pk !== undefined);
  const moved = indexed.length === 2 && (before?.gsi1pk !== after?.gsi1pk || before?.gsi1sk !== after?.gsi1sk);
  const index = indexed.length === 0 ? 0 : moved ? 2 * perCopy : perCopy;
  return { read: 0, write: table + index };
}

// The SDK's stacks are generic over each client's input and output unions; the middleware only
// reads and adds plain fields, so one loose signature serves all three clients.
type AnyStack = Pick<MiddlewareStack<object, object>, 'add'>;

/** Adds the counting middleware to a client's stack (once per client); DynamoDB's needs `probe` to size what it writes. */
export function instrument(client: { middlewareStack: unknown }, service: 'dynamodb' | 'kms' | 'sns', probe?: ItemProbe): void {
  const stack = client.middlewareStack as AnyStack;
  stack.add(
    (next, context) => async (args) => {
      const operation = ((context as { commandName?: string }).commandName ?? '').replace(/Command$/, '');
      if (service !== 'dynamodb') {
        current[service]++;
        return next(args);
      }
      current.dynamodb++;
      const tally = current;
      const index = tally.operations.push(operation) - 1;
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const touches = probe && sizing ? touchesOf(operation, args.input as Item) : [];
      const read = (touch: Touch) => (probe as ItemProbe)(touch.tableName, touch.key);
      const itemsBefore = await Promise.all(touches.map(read));
      if (inFlight++ === 0) busySince = performance.now();
      try {
        const result = await next(args);
        const before = { read: tally.readUnits, write: tally.writeUnits };
        if (touches.length > 0) {
          const itemsAfter = await Promise.all(touches.map(read));
          touches.forEach((touch, i) => {
            const units = unitsOf(touch, itemsBefore[i], itemsAfter[i]);
            tally.readUnits += units.read;
            tally.writeUnits += units.write;
          });
        } else addCapacity(tally, operation, (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity);
        const units = [tally.readUnits - before.read ? `${tally.readUnits - before.read}R` : '', tally.writeUnits - before.write ? `${tally.writeUnits - before.write}W` : ''];
        tally.operations[index] = [operation, units.filter(Boolean).join('+')].filter(Boolean).join(' ');
        return result;
      } finally {
        if (--inFlight === 0) current.dynamodbBusyMs += performance.now() - busySince;
      }
    },
    { step: 'initialize', name: `benchTally-${service}`, override: true },
  );
}
