/**
 * Global setup of the `console` project: builds the console once per run (when its build is missing
 * or older than its sources), so every browser test serves the same files `npm start` would.
 */
import { ensureConsoleBuilt } from '#local/console.ts';

export default async function setup(): Promise<void> {
  await ensureConsoleBuilt();
}
