/**
 * Draws a printed roll (escpos-interpreter.ts rows) as a black-on-white picture of the paper:
 * the CP866 text in the emulator's 8×16 bitmap font with its alignment, bold and size, and
 * each QR code module by module. Pure: rows in, PNG bytes out.
 *
 * Geometry: a real head prints 12 × 24-dot characters at 8 dots a millimetre (203 dpi) with
 * 30-dot lines. The picture keeps those proportions at 2/3 scale so the 8 × 16 glyphs stay
 * whole pixels: a character cell is 8 px, a line 20 px, a QR module of n dots is 2n/3 px
 * (6 dots → 4 px). `scale` then enlarges every pixel for the eye (default 2).
 */
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { CP866_GLYPHS, GLYPH_HEIGHT, GLYPH_WIDTH } from './font/receipt-font-8x16.ts';
import { encodeCp866 } from '../../../firmware/fiscal/cp866.ts';
import type { Alignment, QrRow, RollRow, TextRow } from './escpos-interpreter.ts';

export interface RollImageOptions {
  /** Characters a line of the paper (32 for 58 mm, 48 for 80 mm). */
  readonly columns: number;
  /** Screen pixels a picture pixel, ≥ 1. */
  readonly scale?: number;
}

/** Picture pixels: a line of text is 16 px of glyph and 4 px of spacing (30 dots × 2/3). */
const LINE_HEIGHT = 20;
const MARGIN = 8;
/** QR quiet zone (ISO/IEC 18004 §6.3.8: four modules). */
const QUIET_MODULES = 4;

interface Bitmap {
  readonly width: number;
  readonly height: number;
  /** One byte a pixel, 1 = ink. */
  readonly ink: Uint8Array;
}

export function rollHeight(rows: readonly RollRow[], columns: number): number {
  let height = 2 * MARGIN;
  for (const row of rows) height += row.kind === 'text' ? textRowHeight(row, columns) : qrSide(row);
  return height;
}

/** The roll as a grayscale PNG. */
export function renderRollPng(rows: readonly RollRow[], options: RollImageOptions): Buffer {
  const bitmap = drawRoll(rows, options.columns);
  const scale = Math.max(1, Math.floor(options.scale ?? 2));
  const png = new PNG({ width: bitmap.width * scale, height: bitmap.height * scale, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const data = Buffer.alloc(png.width * png.height, 0xff);
  for (let y = 0; y < png.height; y++) {
    const from = Math.floor(y / scale) * bitmap.width;
    for (let x = 0; x < png.width; x++) if (bitmap.ink[from + Math.floor(x / scale)]) data[y * png.width + x] = 0;
  }
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** The roll as ink pixels, before scaling: exported so tests can read glyphs back. */
export function drawRoll(rows: readonly RollRow[], columns: number): Bitmap {
  const width = columns * GLYPH_WIDTH + 2 * MARGIN;
  const height = rollHeight(rows, columns);
  const ink = new Uint8Array(width * height);
  let y = MARGIN;
  for (const row of rows) {
    if (row.kind === 'text') {
      for (const piece of wrapRow(row, columns)) {
        const used = piece.length * GLYPH_WIDTH * row.width;
        let x = MARGIN + offset(row.align, columns * GLYPH_WIDTH - used);
        for (const byte of encodeCp866(piece)) {
          drawGlyph(ink, width, byte, x, y, row);
          x += GLYPH_WIDTH * row.width;
        }
        y += LINE_HEIGHT * row.height;
      }
    } else {
      y += drawQr(ink, width, row, columns, y);
    }
  }
  return { width, height, ink };
}

function textRowHeight(row: TextRow, columns: number): number {
  return Math.max(1, wrapRow(row, columns).length) * LINE_HEIGHT * row.height;
}

/** A printer wraps a line longer than the paper onto the next line; an empty line still feeds. */
function wrapRow(row: TextRow, columns: number): string[] {
  const perLine = Math.max(1, Math.floor(columns / row.width));
  const out: string[] = [];
  for (let i = 0; i < row.text.length; i += perLine) out.push(row.text.slice(i, i + perLine));
  return out.length > 0 ? out : [''];
}

function offset(align: Alignment, free: number): number {
  if (free <= 0) return 0;
  return align === 'center' ? Math.floor(free / 2) : align === 'right' ? free : 0;
}

function drawGlyph(ink: Uint8Array, stride: number, byte: number, x0: number, y0: number, row: TextRow): void {
  for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
    let bits = CP866_GLYPHS[byte * GLYPH_HEIGHT + gy] ?? 0;
    // Emphasis the way print heads do it: each dot printed again one dot to the right.
    if (row.bold) bits |= bits >> 1;
    for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
      if (!(bits & (0x80 >> gx))) continue;
      for (let dy = 0; dy < row.height; dy++) {
        for (let dx = 0; dx < row.width; dx++) ink[(y0 + gy * row.height + dy) * stride + x0 + gx * row.width + dx] = 1;
      }
    }
  }
}

/** Pixels a module: the head's dots at 2/3, at least one. */
function modulePixels(row: QrRow): number {
  return Math.max(1, Math.round((row.moduleSize * 2) / 3));
}

function qrModules(row: QrRow): QRCode.QRCode['modules'] {
  return QRCode.create(row.data, { errorCorrectionLevel: row.errorLevel }).modules;
}

function qrSide(row: QrRow): number {
  return (qrModules(row).size + 2 * QUIET_MODULES) * modulePixels(row);
}

/** Draws one QR code (with its quiet zone) at `y0`; returns the height it took. */
function drawQr(ink: Uint8Array, stride: number, row: QrRow, columns: number, y0: number): number {
  const modules = qrModules(row);
  const px = modulePixels(row);
  const side = (modules.size + 2 * QUIET_MODULES) * px;
  const x0 = MARGIN + offset(row.align, columns * GLYPH_WIDTH - side) + QUIET_MODULES * px;
  const top = y0 + QUIET_MODULES * px;
  for (let r = 0; r < modules.size; r++) {
    for (let c = 0; c < modules.size; c++) {
      if (!modules.get(r, c) || x0 + (c + 1) * px > stride) continue; // wider than the paper: cut off
      for (let dy = 0; dy < px; dy++) ink.fill(1, (top + r * px + dy) * stride + x0 + c * px, (top + r * px + dy) * stride + x0 + (c + 1) * px);
    }
  }
  return side;
}
