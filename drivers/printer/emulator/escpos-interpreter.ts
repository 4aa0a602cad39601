/**
 * Interprets an ESC/POS byte stream the way a receipt printer does, enough to show what a
 * person would see: CP866 text by lines, alignment, bold, QR codes (GS ( k), feeds and the
 * cut that ends a receipt; DLE EOT status requests are reported to the caller. Pure state
 * machine fed with chunks; unknown commands are skipped and counted.
 */
import { decodeCp866 } from '../../../firmware/fiscal/cp866.ts';

export interface PrintedReceipt {
  readonly lines: readonly string[];
  /** Contents of the QR codes printed, in order. */
  readonly qrCodes: readonly string[];
  /** Module size of each QR (GS ( k 167), dots. */
  readonly qrModuleSizes: readonly number[];
}

export interface InterpreterEvents {
  readonly onStatusRequest: (n: number) => void;
  readonly onReceipt: (receipt: PrintedReceipt) => void;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;

/** Fixed-length commands: first two bytes → total length (Epson ESC/POS command reference). */
const FIXED: ReadonlyMap<number, number> = new Map([
  [(ESC << 8) | 0x40, 2], // ESC @ initialize
  [(ESC << 8) | 0x32, 2], // ESC 2 default line spacing
  [(FS << 8) | 0x2e, 2], // FS . cancel Kanji mode
  [(ESC << 8) | 0x4d, 3], // ESC M font
  [(ESC << 8) | 0x74, 3], // ESC t code page
  [(ESC << 8) | 0x45, 3], // ESC E bold
  [(ESC << 8) | 0x47, 3], // ESC G double strike
  [(ESC << 8) | 0x61, 3], // ESC a alignment
  [(ESC << 8) | 0x2d, 3], // ESC - underline
  [(ESC << 8) | 0x21, 3], // ESC ! print mode
  [(ESC << 8) | 0x33, 3], // ESC 3 line spacing
  [(ESC << 8) | 0x64, 3], // ESC d feed n lines
  [(ESC << 8) | 0x4a, 3], // ESC J feed n dots
  [(ESC << 8) | 0x7b, 3], // ESC { upside down
  [(GS << 8) | 0x21, 3], // GS ! character size
  [(GS << 8) | 0x42, 3], // GS B reverse
  [(DLE << 8) | 0x04, 3], // DLE EOT n status
]);

export class EscPosInterpreter {
  private buffer: number[] = [];
  private line = '';
  private lines: string[] = [];
  private qrData = '';
  private qrModule = 3;
  private qrCodes: string[] = [];
  private qrSizes: number[] = [];
  readonly stats = { unknown: 0, receipts: 0 };

  constructor(private readonly events: InterpreterEvents) {}

  push(chunk: Uint8Array): void {
    for (const b of chunk) this.buffer.push(b);
    let at = 0;
    while (at < this.buffer.length) {
      const used = this.step(at);
      if (used === 0) break; // an incomplete command: wait for more bytes
      at += used;
    }
    this.buffer = this.buffer.slice(at);
  }

  /** Consumes one command or one text byte at `at`; returns the bytes used, 0 when incomplete. */
  private step(at: number): number {
    const b = this.buffer[at] ?? 0;
    const left = this.buffer.length - at;
    if (b === 0x0a) {
      this.lines.push(this.line);
      this.line = '';
      return 1;
    }
    if (b === 0x0d) return 1;
    if (b !== ESC && b !== GS && b !== FS && b !== DLE) {
      if (b >= 0x20) this.line += decodeCp866(Uint8Array.of(b));
      return 1;
    }
    if (left < 2) return 0;
    const key = (b << 8) | (this.buffer[at + 1] ?? 0);
    const fixed = FIXED.get(key);
    if (fixed !== undefined) {
      if (left < fixed) return 0;
      if (key === ((DLE << 8) | 0x04)) this.events.onStatusRequest(this.buffer[at + 2] ?? 0);
      if (key === ((ESC << 8) | 0x64)) for (let i = 0; i < (this.buffer[at + 2] ?? 0); i++) this.lines.push('');
      return fixed;
    }
    if (key === ((GS << 8) | 0x28)) return this.functionBlock(at, left); // GS ( k …
    if (key === ((GS << 8) | 0x56)) {
      // GS V m [n]: cut; m 65/66 take a feed byte
      if (left < 3) return 0;
      const m = this.buffer[at + 2] ?? 0;
      const length = m === 65 || m === 66 ? 4 : 3;
      if (left < length) return 0;
      this.cut();
      return length;
    }
    this.stats.unknown++;
    return 2;
  }

  /** GS ( k pL pH cn fn …: the 2D-code functions; QR (cn = 49) store and print. */
  private functionBlock(at: number, left: number): number {
    if (left < 5) return 0;
    const length = (this.buffer[at + 3] ?? 0) + 256 * (this.buffer[at + 4] ?? 0);
    if (left < 5 + length) return 0;
    const cn = this.buffer[at + 5];
    const fn = this.buffer[at + 6];
    if (this.buffer[at + 2] === 0x6b && cn === 0x31) {
      if (fn === 0x43) this.qrModule = this.buffer[at + 7] ?? 3; // 167: module size
      if (fn === 0x50) this.qrData = decodeCp866(Uint8Array.from(this.buffer.slice(at + 8, at + 5 + length))); // 180: store
      if (fn === 0x51) {
        this.qrCodes.push(this.qrData); // 181: print
        this.qrSizes.push(this.qrModule);
        this.lines.push(`[QR ${this.qrData}]`);
      }
    }
    return 5 + length;
  }

  private cut(): void {
    if (this.line) this.lines.push(this.line);
    this.stats.receipts++;
    this.events.onReceipt({ lines: this.lines, qrCodes: this.qrCodes, qrModuleSizes: this.qrSizes });
    this.line = '';
    this.lines = [];
    this.qrCodes = [];
    this.qrSizes = [];
  }
}
