/**
 * The printer emulator: the device side of an ESC/POS printer on any byte stream. It
 * answers DLE EOT at once from its knobs (paper out, near end, cover open, offline) — even
 * mid-document, as real-time commands are — interprets what it receives
 * (escpos-interpreter.ts), answers GS r only once the paper before it is out, and, for
 * every cut receipt, keeps the text and
 * writes `receipt-NNNN.txt` and `receipt-NNNN.png` — the paper as drawn by roll-image.ts,
 * text and QR code — to a folder, so a person can look at it and a phone (or zbarimg) can
 * scan it. NNNN continues from the highest number already in the folder: files outlive the
 * process, so their names never come from a per-process counter (issue 11 §4: pictures were
 * overwritten after a restart). Slow printing is a knob too.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../firmware/core/clock.ts';
import type { Log } from '../../../firmware/core/log.ts';
import type { BytePort } from '../../port.ts';
import { encodeStatus, PAPER_STATUS_NEAR_END, type PrinterStatus } from '../printer-status.ts';
import { EscPosInterpreter, type PrintedReceipt } from './escpos-interpreter.ts';
import { RealTimeSplitter } from './real-time-commands.ts';
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
  /** Receipts whose paper ran out (or cover opened, or printer went offline) before they were out. */
  readonly stats = { cutShort: 0, clears: 0 };
  private readonly interpreter: EscPosInterpreter;
  private readonly realTime: RealTimeSplitter;
  /** Bumped by "clear buffers": data queued before it is dropped. */
  private generation = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly waiters: ((r: PrintedReceipt) => void)[] = [];
  /** The paper moves at its speed: bytes after a receipt wait until it is out (ms, clock time). */
  private busyUntil = 0;
  private inbox: Promise<void> = Promise.resolve();
  /** The number of the last receipt file in outputDir, read from the folder at start. */
  private lastFileNumber = 0;

  constructor(
    private readonly deps: PrinterEmulatorDeps,
    private readonly options: PrinterEmulatorOptions = {},
  ) {
    this.interpreter = new EscPosInterpreter({
      // DLE EOT never reaches the interpreter: the real-time splitter answers it first.
      onStatusRequest: (n) => this.answer(encodeStatus(n, this.status())),
      onTransmitStatus: (n) => this.transmitStatus(n),
      onReceipt: (r) => this.finished(r),
    });
    this.realTime = new RealTimeSplitter({
      status: (n) => this.answer(encodeStatus(n, this.status())),
      clearBuffers: () => {
        this.generation++;
        this.stats.clears++;
        this.answer(0x37, 0x25, 0x00);
      },
    });
  }

  start(): void {
    if (this.options.outputDir) {
      mkdirSync(this.options.outputDir, { recursive: true });
      this.lastFileNumber = lastReceiptFileNumber(this.options.outputDir);
    }
    this.unsubscribe = this.deps.port.onData((chunk) => {
      const data = this.realTime.push(chunk);
      // Offline or out of paper, a printer takes in nothing more to print.
      if (data.length === 0 || !this.online()) return;
      // Commands are worked in order: what follows a receipt waits until its paper is out.
      const generation = this.generation;
      this.inbox = this.inbox.then(async () => {
        const wait = this.busyUntil - this.deps.clock.now();
        if (wait > 0) await new Promise((r) => this.deps.clock.after(wait, () => r(undefined)));
        if (generation === this.generation) this.interpreter.push(data);
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

  private online(): boolean {
    return !(this.knobs.offline || this.knobs.paperOut || this.knobs.coverOpen);
  }

  private answer(...bytes: number[]): void {
    void this.deps.port.write(Uint8Array.from(bytes)).catch(() => undefined);
  }

  /** GS r n, answered when the paper before it is out — if the printer is still online then. */
  private transmitStatus(n: number): void {
    const generation = this.generation;
    const reply = (): void => {
      // Offline: the command waits in a buffer the register clears.
      if (!this.online() || generation !== this.generation) return;
      this.answer(n === 1 || n === 49 ? (this.knobs.paperNearEnd ? PAPER_STATUS_NEAR_END : 0x00) : 0x00);
    };
    const wait = this.busyUntil - this.deps.clock.now();
    if (wait > 0) this.deps.clock.after(wait, reply);
    else reply();
  }

  private finished(receipt: PrintedReceipt): void {
    const generation = this.generation;
    const done = (): void => {
      if (!this.online() || generation !== this.generation) {
        // The paper ran out (or the cover opened) while this receipt was printing, or the
        // register cleared the buffers: what was left of it never comes out.
        this.stats.cutShort++;
        this.deps.log.debug(() => 'printer emulator: a receipt was cut short');
        return;
      }
      this.printed.push(receipt);
      const dir = this.options.outputDir;
      if (dir) {
        const base = join(dir, `receipt-${String(++this.lastFileNumber).padStart(4, '0')}`);
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

const RECEIPT_FILE = /^receipt-(\d+)\.(?:txt|png)$/;

/** The highest NNNN of the receipt-NNNN.txt/.png files in `dir`; 0 when there are none. */
export function lastReceiptFileNumber(dir: string): number {
  let last = 0;
  for (const name of readdirSync(dir)) {
    const m = RECEIPT_FILE.exec(name);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return last;
}
