/**
 * What a command gets from main.ts instead of touching `process` itself (DESIGN.md §2:
 * main.ts is the only file that does): its arguments, output streams, the environment,
 * the clock every timer of a command runs on (DESIGN.md §3 rule 3), and a way to learn that
 * the process is asked to stop.
 */
import type { Clock } from '../core/clock.ts';

export interface CliContext {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** This process's id (sd_watchdog_enabled(3) compares it with WATCHDOG_PID). */
  readonly pid: number;
  /** Wall time and timers: systemClock() in the process, a ManualClock where a test steps it. */
  readonly clock: Clock;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Raw bytes to standard output (the interactive console). */
  readonly write: (bytes: Uint8Array) => void;
  /** Standard input, for the interactive console. */
  readonly stdin: {
    onData(listener: (chunk: Uint8Array) => void): () => void;
    /** Keys as they are typed, not lines (no-op when stdin is not a terminal). */
    setRawMode(on: boolean): void;
    /** Everything until its end (a pipe or a file). */
    readAll(): Promise<Uint8Array>;
  };
  /** The folder of the program node runs (dist/ for `node dist/kassa.mjs`): what a release keeps beside it. */
  readonly programDir: string;
  /** Cuts this process's power (SIGKILL to itself): the crash points of fault tests (core/crash-point.ts). */
  readonly kill: () => void;
  /** Ends this process now with `code`, nothing stopped first (as a power cut would, but with a code). */
  readonly exit: (code: number) => void;
  /** Registers a handler for SIGINT/SIGTERM; returns an unsubscribe. */
  readonly onStop: (handler: () => void) => () => void;
}

export interface Command {
  readonly name: string;
  readonly usage: string;
  /** Resolves with the exit code when the command is done (long-running ones resolve on stop). */
  run(ctx: CliContext): Promise<number>;
}

/**
 * A command as `kassa help` lists it; its code is imported when it runs. In the one-file
 * bundle esbuild then initialises a command's modules only on that import, so a register that
 * runs `run` never evaluates the cloud tools, the console client or the FN emulator's command
 * (issue 9 §5: boot time and memory).
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

/** A usage error: main.ts prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
