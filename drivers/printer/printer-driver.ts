/**
 * PrinterDriver: an ESC/POS printer on a byte stream. Reads the real-time status with
 * DLE EOT (printer-status.ts) and sends encoded documents; knows nothing of receipts.
 */
import type { Clock } from '../../firmware/core/clock.ts';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import type { Log } from '../../firmware/core/log.ts';
import type { BytePort } from '../port.ts';
import { decodeStatus, DLE, EOT, STATUS_REQUESTS, type PrinterStatus } from './printer-status.ts';

export interface PrinterDriverDeps {
  readonly port: BytePort;
  readonly clock: Clock;
  readonly log: Log;
}

export class PrinterDriver {
  private pending: ((byte: number) => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  readonly stats = { statusReads: 0, timeouts: 0, bytesSent: 0 };

  constructor(
    private readonly deps: PrinterDriverDeps,
    /** Wait for each status byte, ms. */
    private readonly statusTimeoutMs = 500,
  ) {}

  start(): void {
    this.unsubscribe = this.deps.port.onData((chunk) => {
      for (const byte of chunk) this.pending?.(byte);
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
