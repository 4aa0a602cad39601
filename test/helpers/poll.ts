/**
 * The one "wait until" of the tests that talk to real processes, sockets and ptys
 * (integration/, and the helpers that start mosquitto or socat): checks `ready` every
 * `intervalMs` of real time and throws when it is still not true after `timeoutMs`, so a
 * wait that runs out fails the test instead of letting it go on. `wake` lets an event
 * (a message arrived) cut the interval short.
 */
export interface PollOptions {
  readonly timeoutMs: number;
  /** What is awaited, for the error: "final results of 60 jobs"; a function is read only when the wait fails. */
  readonly what: string | (() => string);
  readonly intervalMs?: number;
  /** Registers a callback that ends the current interval early. */
  readonly wake?: (now: () => void) => void;
}

export async function pollUntil(ready: () => boolean | Promise<boolean>, options: PollOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${typeof options.what === 'function' ? options.what() : options.what}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval);
      options.wake?.(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
