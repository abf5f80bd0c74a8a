export interface EventuallyOptions {
  /** give up after this long (default 10 s) */
  readonly timeoutMs?: number;
  /** time between checks (default 50 ms) */
  readonly intervalMs?: number;
  /** what is awaited, or context for the failure (e.g. a process's log) */
  readonly what?: string | (() => string);
}

/**
 * Bounded polling, for a condition a test cannot await as an event (a
 * container gone from the engine, a state reached through asynchronous
 * event processing). A check that throws counts as "not yet".
 */
export async function eventually(condition: () => boolean | Promise<boolean>, options: EventuallyOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const met = await Promise.resolve()
      .then(condition)
      .catch((err: unknown) => {
        lastError = err;
        return false;
      });
    if (met) return;
    if (Date.now() > deadline) {
      const what = typeof options.what === 'function' ? options.what() : (options.what ?? condition.toString());
      const last = lastError === undefined ? '' : `\nlast error: ${String(lastError)}`;
      throw new Error(`condition not met within ${timeoutMs} ms: ${what}${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
