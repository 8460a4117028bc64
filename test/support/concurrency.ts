/**
 * Real concurrency for race tests: N attempts prepared first, then released together (each waits on
 * one gate), and their outcomes counted. Nothing is serialised by the helper itself.
 */

export interface RaceOutcome<T> {
  /** Every attempt's answer, in the order the attempts were created. */
  results: PromiseSettledResult<T>[];
  winners: T[];
  losers: PromiseSettledResult<T>[];
}

/** Runs `attempt(0..n-1)` released at once and splits the answers with `isWin`. */
export async function race<T>(n: number, attempt: (index: number) => Promise<T>, isWin: (value: T) => boolean): Promise<RaceOutcome<T>> {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const running = Array.from({ length: n }, async (_, index) => {
    await gate;
    return attempt(index);
  });
  release();
  const results = await Promise.allSettled(running);
  const winners = results.flatMap((r) => (r.status === 'fulfilled' && isWin(r.value) ? [r.value] : []));
  const losers = results.filter((r) => !(r.status === 'fulfilled' && isWin(r.value)));
  return { results, winners, losers };
}

/** Runs `tasks` with at most `concurrency` in flight (a small pool for load tests). */
export async function pool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const answers: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index];
      if (task) answers[index] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return answers;
}

/** Figures a suite prints at the end (e.g. `races: 10 scenarios × 20 = 200 concurrent submissions, 10 winners`). */
export class Tally {
  scenarios = 0;
  attempts = 0;
  winners = 0;

  record(outcome: { results: unknown[]; winners: unknown[] }): void {
    this.scenarios += 1;
    this.attempts += outcome.results.length;
    this.winners += outcome.winners.length;
  }
}
