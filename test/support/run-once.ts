/**
 * One resource for the whole `vitest run`, however many projects ask for it. Vitest runs each
 * project's globalSetup for itself (all before the first test, all teardowns at the end, in the main
 * process); a project that needs DynamoDB Local or the log capture acquires the run's one instance,
 * and the last project to tear down stops it. Kept on globalThis: each project may load the
 * globalSetup module on its own.
 */
interface Shared<T> {
  users: number;
  value: Promise<T>;
}

export class RunOnce<T> {
  private readonly key: symbol;

  constructor(
    name: string,
    private readonly start: () => Promise<T>,
    private readonly stop: (value: T) => Promise<void> | void,
  ) {
    this.key = Symbol.for(`portcullis.test.${name}`);
  }

  private get registry(): Record<symbol, Shared<T> | undefined> {
    return globalThis;
  }

  /** The run's instance, started by the first project that asks. */
  acquire(): Promise<T> {
    const shared = (this.registry[this.key] ??= { users: 0, value: this.start() });
    shared.users += 1;
    return shared.value;
  }

  /** Stops the instance once the last project that acquired it releases it. */
  async release(): Promise<void> {
    const shared = this.registry[this.key];
    if (!shared) return;
    shared.users -= 1;
    if (shared.users > 0) return;
    Reflect.deleteProperty(this.registry, this.key);
    await this.stop(await shared.value);
  }
}
