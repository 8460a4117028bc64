/**
 * SDK middleware that counts what an operation costs: calls per service (DynamoDB, KMS, SNS), the
 * consumed capacity DynamoDB reports (every input gets `ReturnConsumedCapacity: 'TOTAL'`), and the
 * wall time spent with at least one DynamoDB call in flight (parallel calls are not counted twice).
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

// The SDK's stacks are generic over each client's input and output unions; the middleware only
// reads and adds plain fields, so one loose signature serves all three clients.
type AnyStack = Pick<MiddlewareStack<object, object>, 'add'>;

/** Adds the counting middleware to a client's stack (once per client). */
export function instrument(client: { middlewareStack: unknown }, service: 'dynamodb' | 'kms' | 'sns'): void {
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
      if (inFlight++ === 0) busySince = performance.now();
      try {
        const result = await next(args);
        const before = { read: tally.readUnits, write: tally.writeUnits };
        addCapacity(tally, operation, (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity);
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
