/**
 * FnDriver: the register's side of the FN exchange protocol (fn-protocol §3).
 *
 * - One command in flight; callers queue behind it.
 * - Per-command timeouts: long ones for the commands that sign big documents.
 * - On a timeout or a corrupted answer it sends ENQ (05h), which makes the FN resend its
 *   last answer (fn-protocol §2), and never re-sends the command: re-sending 16h could
 *   form a second receipt.
 * - A non-zero code becomes an FnError with that code; bit 7 (warning) is reported in the
 *   answer and counted, never treated as failure (fn-protocol §3.3).
 */
import type { Clock, TimerHandle } from '../../firmware/core/clock.ts';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import { hex, type Log } from '../../firmware/core/log.ts';
import type { BytePort } from '../port.ts';
import { FnError } from './fn-error.ts';
import type { FnCommand, RequestOf, ResponseOf } from './fn-commands.ts';
import { ENQ, encodeFrame, type Frame } from './fn-frame-codec.ts';
import { FnFrameDecoder, type FrameDecoderCounters } from './fn-frame-decoder.ts';
import { decodeLayout, encodeLayout, type Layout } from './fn-layout.ts';
import { hexByte, WARNING_BIT } from './fn-response-codes.ts';

export interface FnDriverDeps {
  readonly port: BytePort;
  readonly clock: Clock;
  readonly log: Log;
}

export interface FnDriverOptions {
  /** Answer timeout of ordinary commands, ms. Default 5000 (fiscal-spec §1.1, a project choice). */
  readonly timeoutMs: number;
  /** Answer timeout of 16h, 03h/A3h, 05h, ms. Default 30000. */
  readonly longTimeoutMs: number;
  /** How many ENQs to send before giving up on one command. Default 3. */
  readonly enqRetries: number;
}

export const DEFAULT_FN_DRIVER_OPTIONS: FnDriverOptions = { timeoutMs: 5000, longTimeoutMs: 30000, enqRetries: 3 };

export interface FnAnswer<T> {
  readonly value: T;
  /** Bit 7 of ANSWER: a warning flag is up in the FN (read the flags with 30h). */
  readonly warning: boolean;
}

export interface FnDriverCounters extends FrameDecoderCounters {
  commands: number;
  /** Answers with a non-zero code (FnError). */
  refusals: number;
  /** Commands that got no usable answer (timeout, undecodable answer, port error). */
  failures: number;
  timeouts: number;
  enqSent: number;
  /** Late or repeated answers dropped after an ENQ recovery. */
  sparesSwallowed: number;
  warnings: number;
  unsolicited: number;
}

interface Pending {
  readonly resolve: (frame: Frame) => void;
}

export class FnDriver {
  private readonly decoder = new FnFrameDecoder();
  private readonly stats = { commands: 0, refusals: 0, failures: 0, timeouts: 0, enqSent: 0, sparesSwallowed: 0, warnings: 0, unsolicited: 0 };
  private queue: Promise<unknown> = Promise.resolve();
  private pending: Pending | undefined;
  private wake: (() => void) | undefined;
  /** Ends the wait in flight at once (stop()); set while a send or a spare-swallow waits. */
  private abort: (() => void) | undefined;
  private stopped = false;
  private unsubscribe: (() => void)[] = [];
  private readonly log: Log;

  constructor(
    private readonly deps: FnDriverDeps,
    private readonly options: FnDriverOptions = DEFAULT_FN_DRIVER_OPTIONS,
  ) {
    this.log = deps.log.child('fn');
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe.push(this.deps.port.onData((chunk) => this.onChunk(chunk)));
  }

  /**
   * Ends the command in flight too: its answer can no longer arrive, and its timeout and ENQ
   * retries (up to ~(1 + enqRetries + 2) × timeoutMs) would otherwise keep a timer, and with it
   * a register that failed to start, alive for seconds after everything else stopped.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.unsubscribe.splice(0)) u();
    this.abort?.();
  }

  /**
   * Commands that ended without a good answer so far: refused, timed out, or not decodable.
   * FnFace keeps what it knows of the FN only while this stays the same.
   */
  get troubles(): number {
    return this.stats.refusals + this.stats.failures + this.stats.timeouts;
  }

  get counters(): FnDriverCounters {
    return { ...this.decoder.counters, ...this.stats };
  }

  describe(): Record<string, unknown> {
    return { port: this.deps.port.description, ...this.options, counters: this.counters };
  }

  /** Sends one command and resolves with its decoded answer; queues behind the command in flight. */
  execute<C extends FnCommand>(command: C, request: RequestOf<C>): Promise<FnAnswer<ResponseOf<C>>> {
    const run = this.queue.then(() => this.exchange(command, request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async exchange<C extends FnCommand>(command: C, request: RequestOf<C>): Promise<FnAnswer<ResponseOf<C>>> {
    if (this.stopped) throw this.stoppedError(command);
    const data = encodeLayout(command.request as Layout, request as never);
    const frame = encodeFrame(command.code, data);
    const timeoutMs = command.timeout === 'long' ? this.options.longTimeoutMs : this.options.timeoutMs;
    this.stats.commands++;
    this.log.debug(() => `--> ${hexByte(command.code)} ${command.name} ${hex(data)}`);
    this.decoder.reset();
    let answer = await this.send(frame, timeoutMs);
    let enqUsed = 0;
    while (!answer && enqUsed < this.options.enqRetries && !this.stopped) {
      enqUsed++;
      this.stats.enqSent++;
      this.log.warn(`no valid answer to ${hexByte(command.code)} ${command.name}; sending ENQ (${enqUsed}/${this.options.enqRetries})`);
      this.decoder.reset();
      answer = await this.send(Uint8Array.of(ENQ), this.options.timeoutMs);
    }
    // After k ENQs up to k spare answers (a late original, resends) may still be on their way:
    // swallow them before the next command, so none is taken for its answer. An FN slower
    // than the timeout answers each ENQ late too; two timeouts cover the last one.
    if (enqUsed > 0 && !this.stopped) await this.swallowSpares(answer ? enqUsed : enqUsed + 1, 2 * this.options.timeoutMs);
    if (this.stopped) throw this.stoppedError(command);
    if (!answer) {
      this.stats.timeouts++;
      this.stats.failures++;
      throw new KassaError('FN_TIMEOUT', `FN did not answer ${hexByte(command.code)} ${command.name} within ${timeoutMs} ms and ${this.options.enqRetries} ENQ retries`);
    }
    this.log.debug(() => `<-- ${hexByte(answer.code)} ${hex(answer.data)}`);
    const warning = (answer.code & WARNING_BIT) !== 0;
    if (warning) this.stats.warnings++;
    const code = answer.code & ~WARNING_BIT;
    if (code !== 0) {
      this.stats.refusals++;
      throw new FnError(command.code, command.name, code, answer.data);
    }
    try {
      return { value: decodeLayout(command.response as Layout, answer.data) as ResponseOf<C>, warning };
    } catch (cause) {
      this.stats.failures++;
      throw new KassaError('FN_PROTOCOL', `cannot decode the answer to ${hexByte(command.code)} ${command.name}: ${hex(answer.data)}`, { cause });
    }
  }

  private stoppedError(command: FnCommand): KassaError {
    return new KassaError('FN_PORT', `the FN driver stopped: ${hexByte(command.code)} ${command.name} ends without an answer`);
  }

  private swallowSpares(spares: number, maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      let left = spares;
      const done = (): void => {
        timer.cancel();
        this.pending = undefined;
        this.abort = undefined;
        this.decoder.reset();
        resolve();
      };
      this.abort = done;
      this.pending = {
        resolve: () => {
          this.stats.sparesSwallowed++;
          if (--left <= 0) done();
        },
      };
      const timer = this.deps.clock.after(maxMs, done);
    });
  }

  /** Writes bytes and waits for one valid frame; undefined after a timeout or a corrupted answer. */
  private send(bytes: Uint8Array, timeoutMs: number): Promise<Frame | undefined> {
    return new Promise<Frame | undefined>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const finish = (frame: Frame | undefined): void => {
        timer?.cancel();
        this.pending = undefined;
        this.wake = undefined;
        this.abort = undefined;
        resolve(frame);
      };
      this.pending = { resolve: finish };
      this.abort = () => finish(undefined);
      // A bad CRC will not turn into a good answer by waiting: ask for a resend at once.
      this.wake = () => finish(undefined);
      timer = this.deps.clock.after(timeoutMs, () => finish(undefined));
      this.deps.port.write(bytes).catch((cause: unknown) => {
        timer?.cancel();
        this.pending = undefined;
        this.wake = undefined;
        this.abort = undefined;
        this.stats.failures++;
        reject(new KassaError('FN_PORT', `cannot write to the FN on ${this.deps.port.description}`, { cause }));
      });
    });
  }

  private onChunk(chunk: Uint8Array): void {
    const crcBefore = this.decoder.counters.crcErrors;
    const frames = this.decoder.push(chunk);
    for (const frame of frames) {
      if (this.pending) this.pending.resolve(frame);
      else {
        this.stats.unsolicited++;
        this.log.warn(`unsolicited frame from the FN: ${hexByte(frame.code)} ${hex(frame.data)}`);
      }
    }
    if (frames.length === 0 && this.decoder.counters.crcErrors > crcBefore && this.pending) this.wake?.();
  }
}
