/**
 * Interprets an ESC/POS byte stream the way a receipt printer does, enough to show what a
 * person would see: CP866 text by lines with their alignment, bold and character size, QR
 * codes (GS ( k), feeds and the cut that ends a receipt; DLE EOT status requests are
 * reported to the caller. Pure state machine fed with chunks; unknown commands are skipped
 * and counted. A line's style is the one in force at its first character (our layouts
 * change style only between lines).
 */
import { decodeCp866 } from '../../../firmware/fiscal/cp866.ts';

export type Alignment = 'left' | 'center' | 'right';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

export interface TextRow {
  readonly kind: 'text';
  readonly text: string;
  readonly align: Alignment;
  readonly bold: boolean;
  /** Character magnification (GS ! / ESC !), 1–8. */
  readonly width: number;
  readonly height: number;
}

export interface QrRow {
  readonly kind: 'qr';
  readonly data: string;
  /** Module size (GS ( k fn 167), dots. */
  readonly moduleSize: number;
  readonly errorLevel: QrErrorLevel;
  readonly align: Alignment;
}

/** The roll as printed, top to bottom: what the PNG is drawn from. */
export type RollRow = TextRow | QrRow;

export interface PrintedReceipt {
  /** The text, one string a line (a QR shows as "[QR …]"): what tests and the .txt read. */
  readonly lines: readonly string[];
  readonly rows: readonly RollRow[];
  /** Contents of the QR codes printed, in order. */
  readonly qrCodes: readonly string[];
  /** Module size of each QR (GS ( k 167), dots. */
  readonly qrModuleSizes: readonly number[];
}

export interface InterpreterEvents {
  readonly onStatusRequest: (n: number) => void;
  /** GS r n: answer once everything before it is printed. */
  readonly onTransmitStatus?: (n: number) => void;
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
  [(GS << 8) | 0x72, 3], // GS r n transmit status
]);

interface Style {
  align: Alignment;
  bold: boolean;
  width: number;
  height: number;
}

const INITIAL_STYLE: Readonly<Style> = { align: 'left', bold: false, width: 1, height: 1 };
/** ESC a n: 0/48 left, 1/49 center, 2/50 right. */
const ALIGNMENTS: readonly Alignment[] = ['left', 'center', 'right'];
/** GS ( k fn 169: 48–51 → L, M, Q, H. */
const QR_LEVELS: readonly QrErrorLevel[] = ['L', 'M', 'Q', 'H'];

export class EscPosInterpreter {
  private buffer: number[] = [];
  private line = '';
  /** The style the current line started with; undefined until its first character. */
  private lineStyle: Style | undefined;
  private style: Style = { ...INITIAL_STYLE };
  private lines: string[] = [];
  private rows: RollRow[] = [];
  private qrData = '';
  private qrModule = 3;
  private qrLevel: QrErrorLevel = 'L';
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
      this.endLine();
      return 1;
    }
    if (b === 0x0d) return 1;
    if (b !== ESC && b !== GS && b !== FS && b !== DLE) {
      if (b >= 0x20) {
        this.lineStyle ??= { ...this.style };
        this.line += decodeCp866(Uint8Array.of(b));
      }
      return 1;
    }
    if (left < 2) return 0;
    const key = (b << 8) | (this.buffer[at + 1] ?? 0);
    const fixed = FIXED.get(key);
    if (fixed !== undefined) {
      if (left < fixed) return 0;
      this.fixedCommand(key, this.buffer[at + 2] ?? 0);
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

  private fixedCommand(key: number, n: number): void {
    switch (key) {
      case (DLE << 8) | 0x04:
        return this.events.onStatusRequest(n);
      case (GS << 8) | 0x72:
        return this.events.onTransmitStatus?.(n);
      case (ESC << 8) | 0x40:
        this.style = { ...INITIAL_STYLE };
        return;
      case (ESC << 8) | 0x61:
        this.style.align = ALIGNMENTS[n % 48] ?? 'left';
        return;
      case (ESC << 8) | 0x45:
        this.style.bold = (n & 1) === 1;
        return;
      case (ESC << 8) | 0x21: // ESC ! n: bit 3 bold, bit 4 double height, bit 5 double width
        this.style = { ...this.style, bold: (n & 0x08) !== 0, height: n & 0x10 ? 2 : 1, width: n & 0x20 ? 2 : 1 };
        return;
      case (GS << 8) | 0x21: // GS ! n: width - 1 in the high nibble, height - 1 in the low
        this.style = { ...this.style, width: ((n >> 4) & 7) + 1, height: (n & 7) + 1 };
        return;
      case (ESC << 8) | 0x64: // ESC d n: print the buffer and feed n lines (ESC d 1 is LF)
        for (let i = 0; i < Math.max(n, this.line ? 1 : 0); i++) this.endLine();
        return;
    }
  }

  private endLine(): void {
    const style = this.lineStyle ?? this.style;
    this.lines.push(this.line);
    this.rows.push({ kind: 'text', text: this.line, ...style });
    this.line = '';
    this.lineStyle = undefined;
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
      if (fn === 0x45) this.qrLevel = QR_LEVELS[(this.buffer[at + 7] ?? 48) - 48] ?? 'L'; // 169: error correction
      if (fn === 0x50) this.qrData = decodeCp866(Uint8Array.from(this.buffer.slice(at + 8, at + 5 + length))); // 180: store
      if (fn === 0x51) {
        this.qrCodes.push(this.qrData); // 181: print
        this.qrSizes.push(this.qrModule);
        this.lines.push(`[QR ${this.qrData}]`);
        this.rows.push({ kind: 'qr', data: this.qrData, moduleSize: this.qrModule, errorLevel: this.qrLevel, align: this.style.align });
      }
    }
    return 5 + length;
  }

  private cut(): void {
    if (this.line) this.endLine();
    this.stats.receipts++;
    this.events.onReceipt({ lines: this.lines, rows: this.rows, qrCodes: this.qrCodes, qrModuleSizes: this.qrSizes });
    this.lines = [];
    this.rows = [];
    this.qrCodes = [];
    this.qrSizes = [];
  }
}
