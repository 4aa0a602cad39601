/**
 * The printer emulator: the device side of an ESC/POS printer on any byte stream. It
 * answers DLE EOT from its knobs (paper out, near end, cover open, offline), interprets
 * what it receives (escpos-interpreter.ts) and, for every cut receipt, keeps the text and
 * writes `receipt-NNNN.txt` and a PNG of its QR code(s) `receipt-NNNN.png` to a folder, so
 * a person can look at it and a phone (or zbarimg) can scan it. Slow printing is a knob too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import type { Clock } from '../../../firmware/core/clock.ts';
import type { Log } from '../../../firmware/core/log.ts';
import type { BytePort } from '../../port.ts';
import { encodeStatus, type PrinterStatus } from '../printer-status.ts';
import { EscPosInterpreter, type PrintedReceipt } from './escpos-interpreter.ts';

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
    /** Folder for receipt-NNNN.txt/.png; none keeps them in memory only. */
    private readonly outputDir?: string,
  ) {
    this.interpreter = new EscPosInterpreter({
      onStatusRequest: (n) => void this.deps.port.write(Uint8Array.of(encodeStatus(n, this.status()))).catch(() => undefined),
      onReceipt: (r) => this.finished(r),
    });
    if (outputDir) mkdirSync(outputDir, { recursive: true });
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
    const done = async (): Promise<void> => {
      this.printed.push(receipt);
      const n = this.printed.length;
      if (this.outputDir) {
        const base = join(this.outputDir, `receipt-${String(n).padStart(4, '0')}`);
        writeFileSync(`${base}.txt`, `${receipt.lines.join('\n')}\n`);
        const qr = receipt.qrCodes[0];
        // Module size as printed (dots); a 203 dpi head makes 8 dots a millimetre.
        if (qr !== undefined) await QRCode.toFile(`${base}.png`, qr, { type: 'png', margin: 4, scale: receipt.qrModuleSizes[0] ?? 6 }).catch((e: unknown) => this.deps.log.warn(`cannot write ${base}.png: ${String(e)}`));
      }
      for (const w of this.waiters.splice(0)) w(receipt);
    };
    const ms = this.knobs.mmPerSecond > 0 ? (receipt.lines.length * MM_PER_LINE * 1000) / this.knobs.mmPerSecond : 0;
    this.busyUntil = this.deps.clock.now() + ms;
    if (ms > 0) this.deps.clock.after(ms, () => void done());
    else void done();
  }
}
