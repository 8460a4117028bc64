/**
 * Work that must run at the end of every invocation, registered by whoever creates it (the metrics
 * adapter, in shared/compose/runtime.ts). The handler wrapper runs these after the response is built
 * and after an error alike, without importing any composition module (http sits below compose).
 */
const tasks = new Set<() => void>();

/** Runs `task` at the end of each invocation of this process from now on. */
export function atInvocationEnd(task: () => void): void {
  tasks.add(task);
}

/** Runs what was registered; called by the handler wrapper. */
export function endInvocation(): void {
  for (const task of tasks) task();
}
