/**
 * The printer emulator: the device side of an ESC/POS printer on any byte stream. It
 * answers DLE EOT from its knobs (paper out, near end, cover open, offline), interprets
 * what it receives (escpos-interpreter.ts) and, for every cut receipt, keeps the text and
 * writes `receipt-NNNN.txt` and `receipt-NNNN.png` — the paper as drawn by roll-image.ts,
 * text and QR code — to a folder, so a person can look at it and a phone (or zbarimg) can
 * scan it. Slow printing is a knob too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../firmware/core/clock.ts';
import type { Log } from '../../../firmware/core/log.ts';
import type { BytePort } from '../../port.ts';
import { encodeStatus, type PrinterStatus } from '../printer-status.ts';
import { EscPosInterpreter, type PrintedReceipt } from './escpos-interpreter.ts';
import { renderRollPng } from './roll-image.ts';

/** Paper a text line takes: 24-dot font plus spacing at 8 dots a millimetre, about 4 mm. */
export const MM_PER_LINE = 4;

export interface PrinterKnobs {
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  offline: boolean;
  /** Paper speed; 0 = instant. A receipt is done after its length (4 mm a line) at this speed. */
  mmPerSecond: number;
}

export interface PrinterEmulatorDeps {
  readonly port: BytePort;
  readonly clock: Clock;
  readonly log: Log;
}

export interface PrinterEmulatorOptions {
  /** Folder for receipt-NNNN.txt/.png; none keeps receipts in memory only. */
  readonly outputDir?: string;
  /** Characters a line of its paper, for the picture: 32 (58 mm) or 48 (80 mm, default). */
  readonly columns?: number;
}

export class PrinterEmulator {
  readonly knobs: PrinterKnobs = { paperOut: false, paperNearEnd: false, coverOpen: false, offline: false, mmPerSecond: 0 };
  readonly printed: PrintedReceipt[] = [];
  private readonly interpreter: EscPosInterpreter;
  private unsubscribe: (() => void) | undefined;
  private readonly waiters: ((r: PrintedReceipt) => void)[] = [];
  /** The paper moves at its speed: bytes after a receipt wait until it is out (ms, clock time). */
  private busyUntil = 0;
  private inbox: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: PrinterEmulatorDeps,
    private readonly options: PrinterEmulatorOptions = {},
  ) {
    this.interpreter = new EscPosInterpreter({
      onStatusRequest: (n) => void this.deps.port.write(Uint8Array.of(encodeStatus(n, this.status()))).catch(() => undefined),
      onReceipt: (r) => this.finished(r),
    });
    if (options.outputDir) mkdirSync(options.outputDir, { recursive: true });
  }

  start(): void {
    this.unsubscribe = this.deps.port.onData((chunk) => {
      // Offline or out of paper, a printer prints nothing but still answers DLE EOT.
      if (this.knobs.offline || this.knobs.paperOut || this.knobs.coverOpen) return this.statusOnly(chunk);
      // Commands are worked in order: what follows a receipt waits until its paper is out.
      this.inbox = this.inbox.then(async () => {
        const wait = this.busyUntil - this.deps.clock.now();
        if (wait > 0) await new Promise((r) => this.deps.clock.after(wait, () => r(undefined)));
        this.interpreter.push(chunk);
      });
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  status(): PrinterStatus {
    const k = this.knobs;
    return { offline: k.offline || k.coverOpen || k.paperOut, coverOpen: k.coverOpen, paperOut: k.paperOut, paperNearEnd: k.paperNearEnd };
  }

  /** Resolves with the next receipt that comes off the printer. */
  nextReceipt(): Promise<PrintedReceipt> {
    return new Promise((r) => this.waiters.push(r));
  }

  private statusOnly(chunk: Uint8Array): void {
    for (let i = 0; i + 2 < chunk.length; i++) {
      if (chunk[i] === 0x10 && chunk[i + 1] === 0x04) void this.deps.port.write(Uint8Array.of(encodeStatus(chunk[i + 2] ?? 0, this.status()))).catch(() => undefined);
    }
  }

  private finished(receipt: PrintedReceipt): void {
    const done = (): void => {
      this.printed.push(receipt);
      const dir = this.options.outputDir;
      if (dir) {
        const base = join(dir, `receipt-${String(this.printed.length).padStart(4, '0')}`);
        try {
          writeFileSync(`${base}.txt`, `${receipt.lines.join('\n')}\n`);
          writeFileSync(`${base}.png`, renderRollPng(receipt.rows, { columns: this.options.columns ?? 48 }));
        } catch (e) {
          this.deps.log.warn(`cannot write ${base}.txt/.png: ${String(e)}`);
        }
      }
      for (const w of this.waiters.splice(0)) w(receipt);
    };
    const ms = this.knobs.mmPerSecond > 0 ? (receipt.lines.length * MM_PER_LINE * 1000) / this.knobs.mmPerSecond : 0;
    this.busyUntil = this.deps.clock.now() + ms;
    if (ms > 0) this.deps.clock.after(ms, done);
    else done();
  }
}
