/**
 * Fault injection for tests: an AWS SDK middleware on the container's DynamoDB client that makes
 * chosen calls fail the way DynamoDB or the network does (throttling, a timeout), and a failing SNS
 * stand-in on the process's SMS outbox. Nothing is mocked: every call that is not chosen goes to
 * DynamoDB Local as usual, and `clear()` takes the middleware off again.
 *
 * The middleware sits in the `build` step, after marshalling (the input it sees is in DynamoDB's
 * attribute-value form) and before the SDK's retry middleware, so one injected fault is one failed
 * call as the service code sees it after the SDK gave up.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { vi } from 'vitest';
import { documentClient } from '#shared/compose/runtime.ts';
import { localOutbox } from '#shared/compose/sign-in.ts';
import type { ItemKey } from '#shared/data/keys.ts';

export type FaultKind = 'throttle' | 'throttling' | 'timeout';

export interface FaultRule {
  kind: FaultKind;
  /** DynamoDB operation without the `Command` suffix: `TransactWriteItems`, `GetItem`, `UpdateItem`… */
  command: string;
  /** Only calls whose (marshalled) input this accepts count as matches. */
  when?: (input: Record<string, unknown>) => boolean;
  /** Matching calls to let through before failing (0: the first one fails). */
  skip?: number;
  /** How many matching calls fail after those (default 1). */
  times?: number;
}

const MIDDLEWARE_NAME = 'portcullisTestFaults';

/** The constant part of a key builder's partition key (`challengeKey` → its `CHALLENGE#` prefix). */
export function keyPrefix(builder: (id: string, ...rest: never[]) => ItemKey): string {
  return builder('\u0000').pk.split('\u0000')[0] ?? '';
}

/** True when the call's input mentions a partition key starting with `prefix` anywhere (items, keys, transactions). */
export const touches =
  (prefix: string) =>
  (input: Record<string, unknown>): boolean =>
    JSON.stringify(input).includes(`"pk":{"S":"${prefix}`);

function faultError(kind: FaultKind): Error {
  if (kind === 'throttle') {
    return new ProvisionedThroughputExceededException({ message: 'Injected: the level of configured provisioned throughput for the table was exceeded.', $metadata: {} });
  }
  const error = new Error(kind === 'timeout' ? 'Injected: socket timed out' : 'Injected: rate exceeded');
  error.name = kind === 'timeout' ? 'TimeoutError' : 'ThrottlingException';
  return error;
}

/** Process-wide figures for the suite's summary line. */
export const faultFigures = { injected: 0, routes: new Set<string>() };

interface ArmedRule extends FaultRule {
  seen: number;
  fired: number;
}

/** Another writer that commits just before the matching call goes out (a race, made deterministic). */
export interface Interleaving {
  command: string;
  when?: (input: Record<string, unknown>) => boolean;
  /** Runs once, with the (marshalled) input of the call it precedes. */
  run: (input: Record<string, unknown>) => Promise<void>;
  ran?: boolean;
}

/**
 * Arms DynamoDB faults. `fail` adds a rule (and installs the middleware on first use); `clear` removes
 * every rule, the middleware and any SMS failure. Call `clear` in `afterEach`.
 */
export class Faults {
  private rules: ArmedRule[] = [];
  private interleavings: Interleaving[] = [];
  private installed = false;
  /** Faults injected by this instance (DynamoDB and SMS). */
  injected = 0;

  fail(rule: FaultRule): this {
    this.rules.push({ ...rule, seen: 0, fired: 0 });
    this.install();
    return this;
  }

  /** Runs `run` once right before the first matching call (through DynamoDB Local, not through this middleware). */
  interleave(interleaving: Interleaving): this {
    this.interleavings.push({ ...interleaving, ran: false });
    this.install();
    return this;
  }

  /** The next `times` SMS sends fail as SNS would (a rejected publish). */
  failSms(times = 1): this {
    const spy = vi.spyOn(localOutbox(), 'send');
    for (let i = 0; i < times; i++) {
      spy.mockImplementationOnce(() => {
        this.count();
        const error = new Error('Injected: SNS throttled the publish');
        error.name = 'ThrottledException';
        return Promise.reject(error);
      });
    }
    return this;
  }

  /** Rules that never fired (a test that armed a fault its route does not reach is a wrong test). */
  unfired(): (FaultRule | Interleaving)[] {
    return [...this.rules.filter((rule) => rule.fired === 0), ...this.interleavings.filter((interleaving) => !interleaving.ran)];
  }

  clear(): void {
    this.rules = [];
    this.interleavings = [];
    if (this.installed) documentClient().middlewareStack.remove(MIDDLEWARE_NAME);
    this.installed = false;
    vi.restoreAllMocks();
  }

  private count(): void {
    this.injected += 1;
    faultFigures.injected += 1;
  }

  private install(): void {
    if (this.installed) return;
    type Next = (args: { input: object }) => Promise<unknown>;
    const middleware =
      (next: Next, context: { commandName?: string }) =>
      async (args: { input: object }): Promise<unknown> => {
        const command = (context.commandName ?? '').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        for (const interleaving of this.interleavings) {
          if (interleaving.ran || interleaving.command !== command || (interleaving.when && !interleaving.when(input))) continue;
          interleaving.ran = true;
          await interleaving.run(input);
        }
        for (const rule of this.rules) {
          if (rule.command !== command || (rule.when && !rule.when(input))) continue;
          rule.seen += 1;
          if (rule.seen > (rule.skip ?? 0) && rule.fired < (rule.times ?? 1)) {
            rule.fired += 1;
            this.count();
            throw faultError(rule.kind);
          }
        }
        return next(args);
      };
    // Typed loosely: the SDK's middleware types live in @smithy/types, which this repo does not depend on.
    documentClient().middlewareStack.add(middleware as never, { step: 'build', name: MIDDLEWARE_NAME, override: true });
    this.installed = true;
  }
}
