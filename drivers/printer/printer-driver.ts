/**
 * PrinterDriver: an ESC/POS printer on a byte stream; knows nothing of receipts. It reads
 * the real-time status with DLE EOT (answered at once, even mid-document), sends encoded
 * documents, and learns when a document is really on paper with GS r 1, which the printer
 * answers only after it has processed everything before it (Epson ESC/POS "GS r"). The two
 * answers are told apart by bit 4: fixed 1 in DLE EOT answers, fixed 0 in GS r answers
 * (printer-status.ts).
 */
import type { Clock } from '../../firmware/core/clock.ts';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import type { Log } from '../../firmware/core/log.ts';
import type { BytePort } from '../port.ts';
import { canPrint, CLEAR_BUFFERS, decodeStatus, DLE, EOT, isRealTimeAnswer, STATUS_REQUESTS, TRANSMIT_PAPER_STATUS, type PrinterStatus } from './printer-status.ts';

/** How a document sent with `write` ended (see `waitPrinted`). */
export type PrintOutcome =
  | { readonly kind: 'printed' }
  /** The printer stopped (paper out, cover open, offline) before it got through the document. */
  | { readonly kind: 'stopped'; readonly status: PrinterStatus }
  /** No GS r answer in time, yet the printer reports no fault. */
  | { readonly kind: 'no-answer' };

export interface PrinterDriverDeps {
  readonly port: BytePort;
  readonly clock: Clock;
  readonly log: Log;
}

export class PrinterDriver {
  private pending: ((byte: number) => void) | undefined;
  private printedWaiter: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  readonly stats = { statusReads: 0, timeouts: 0, bytesSent: 0, strayBytes: 0 };

  constructor(
    private readonly deps: PrinterDriverDeps,
    /** Wait for each status byte, ms. */
    private readonly statusTimeoutMs = 500,
  ) {}

  start(): void {
    this.unsubscribe = this.deps.port.onData((chunk) => {
      for (const byte of chunk) {
        const waiter = isRealTimeAnswer(byte) ? this.pending : this.printedWaiter;
        if (waiter) waiter(byte);
        else this.stats.strayBytes++; // a late answer to a request given up on: not the next one's
      }
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** DLE EOT 1, 2, 4; a printer that does not answer is offline. */
  status(): Promise<PrinterStatus> {
    return this.serial(async () => {
      this.stats.statusReads++;
      const answers: Record<number, number> = {};
      for (const req of STATUS_REQUESTS) {
        const byte = await this.ask(Uint8Array.of(DLE, EOT, req.n));
        if (byte === undefined) {
          this.stats.timeouts++;
          return { offline: true, coverOpen: false, paperOut: false, paperNearEnd: false };
        }
        answers[req.n] = byte;
      }
      return decodeStatus(answers);
    });
  }

  /** Sends an encoded document. */
  write(bytes: Uint8Array): Promise<void> {
    return this.serial(async () => {
      try {
        await this.deps.port.write(bytes);
        this.stats.bytesSent += bytes.length;
      } catch (cause) {
        throw new KassaError('PRINTER', `cannot write to the printer on ${this.deps.port.description}`, { cause });
      }
    });
  }

  /**
   * After `write`: asks GS r 1 and waits for its answer, which comes once the printer has
   * printed everything before it; meanwhile DLE EOT every `pollMs` catches a printer that
   * stopped in the middle (it answers no GS r while offline).
   */
  async waitPrinted(timeoutMs: number, pollMs: number): Promise<PrintOutcome> {
    let answered = false;
    const answer = new Promise<void>((resolve) => {
      this.printedWaiter = () => {
        answered = true;
        this.printedWaiter = undefined;
        resolve();
      };
    });
    try {
      await this.write(TRANSMIT_PAPER_STATUS);
      const deadline = this.deps.clock.now() + timeoutMs;
      while (!answered) {
        const left = deadline - this.deps.clock.now();
        if (left <= 0) return { kind: 'no-answer' };
        await Promise.race([answer, new Promise((r) => this.deps.clock.after(Math.min(pollMs, left), () => r(undefined)))]);
        if (answered) break;
        const status = await this.status();
        if (!canPrint(status)) return { kind: 'stopped', status };
      }
      return { kind: 'printed' };
    } finally {
      this.printedWaiter = undefined;
    }
  }

  /**
   * Clears the printer's receive and print buffers (DLE DC4 fn 8, a real-time command), so
   * the rest of a document cut short by the paper is not printed when paper is back: the
   * document is printed again whole instead.
   */
  clearBuffers(): Promise<void> {
    return this.write(CLEAR_BUFFERS);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private ask(request: Uint8Array): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.after(this.statusTimeoutMs, () => {
        this.pending = undefined;
        resolve(undefined);
      });
      this.pending = (byte) => {
        timer.cancel();
        this.pending = undefined;
        resolve(byte);
      };
      this.deps.port.write(request).catch(() => undefined);
    });
  }
}
