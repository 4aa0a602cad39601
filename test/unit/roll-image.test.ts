/**
 * The printer emulator's picture of the roll (roll-image.ts): read back from the PNG bytes,
 * every character cell holds exactly its CP866 glyph, where its alignment puts it, bold and
 * double size drawn as a print head would; the QR code is drawn module by module and a real
 * decoder (zbarimg) reads it back from the picture with the text around it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import type { RollRow, TextRow } from '../../drivers/printer/emulator/escpos-interpreter.ts';
import { CP866_GLYPHS } from '../../drivers/printer/emulator/font/receipt-font-8x16.ts';
import { renderRollPng, rollHeight } from '../../drivers/printer/emulator/roll-image.ts';
import { encodeCp866 } from '../../firmware/fiscal/cp866.ts';
import { removeDir } from '../helpers/app-rig.ts';

const it = suite('the roll as a picture');

const MARGIN = 8;
const LINE = 20;
const text = (t: string, over: Partial<TextRow> = {}): TextRow => ({ kind: 'text', text: t, align: 'left', bold: false, width: 1, height: 1, ...over });

/** Decodes the PNG and answers "is this picture pixel ink?" (undoing the scale). */
function picture(rows: readonly RollRow[], columns: number, scale: number): { ink: (x: number, y: number) => boolean; width: number; height: number } {
  const png = PNG.sync.read(renderRollPng(rows, { columns, scale }));
  return {
    width: png.width / scale,
    height: png.height / scale,
    // pngjs reads back RGBA whatever the file's colour type.
    ink: (x, y) => png.data[(y * scale * png.width + x * scale) * 4] === 0,
  };
}

/** The glyph rows as the picture shows them at (x, y), magnified and bold as asked. */
function cellMatches(ink: (x: number, y: number) => boolean, ch: string, x0: number, y0: number, width = 1, height = 1, bold = false): boolean {
  const byte = encodeCp866(ch)[0] ?? 0;
  for (let gy = 0; gy < 16; gy++) {
    let bits = CP866_GLYPHS[byte * 16 + gy] ?? 0;
    if (bold) bits |= bits >> 1;
    for (let gx = 0; gx < 8; gx++) {
      for (let dy = 0; dy < height; dy++) {
        for (let dx = 0; dx < width; dx++) {
          if (ink(x0 + gx * width + dx, y0 + gy * height + dy) !== ((bits & (0x80 >> gx)) !== 0)) return false;
        }
      }
    }
  }
  return true;
}

it('every character cell holds its CP866 glyph, Cyrillic included', () => {
  const line = 'ИТОГ =4188.45 Ёжик №1 щука';
  const { ink, width, height } = picture([text(line)], 32, 2);
  assert.is(width, 32 * 8 + 2 * MARGIN);
  assert.is(height, LINE + 2 * MARGIN);
  [...line].forEach((ch, i) => assert.ok(cellMatches(ink, ch, MARGIN + 8 * i, MARGIN), `"${ch}" at column ${i}`));
  // and a wrong glyph does not match: the check can fail
  assert.not.ok(cellMatches(ink, 'Ш', MARGIN, MARGIN));
});

it('centred and right-aligned lines sit where the paper puts them', () => {
  const { ink } = picture([text('ЧЕК', { align: 'center' }), text('=1.00', { align: 'right' })], 32, 1);
  const centre = MARGIN + Math.floor((32 * 8 - 3 * 8) / 2);
  [...'ЧЕК'].forEach((ch, i) => assert.ok(cellMatches(ink, ch, centre + 8 * i, MARGIN), ch));
  const right = MARGIN + 32 * 8 - 5 * 8;
  [...'=1.00'].forEach((ch, i) => assert.ok(cellMatches(ink, ch, right + 8 * i, MARGIN + LINE), ch));
});

it('bold strikes each dot twice; double size doubles the glyph both ways', () => {
  const { ink } = picture([text('ЖБ', { bold: true }), text('ЖБ', { width: 2, height: 2 })], 32, 1);
  assert.ok(cellMatches(ink, 'Ж', MARGIN, MARGIN, 1, 1, true));
  assert.not.ok(cellMatches(ink, 'Ж', MARGIN, MARGIN), 'bold differs from regular');
  assert.ok(cellMatches(ink, 'Ж', MARGIN, MARGIN + LINE, 2, 2));
  assert.ok(cellMatches(ink, 'Б', MARGIN + 16, MARGIN + LINE, 2, 2));
  assert.is(rollHeight([text('ЖБ', { bold: true }), text('ЖБ', { width: 2, height: 2 })], 32), 3 * LINE + 2 * MARGIN);
});

it('a line longer than the paper wraps onto the next, as a printer does', () => {
  const long = 'Д'.repeat(40);
  const { ink, height } = picture([text(long)], 32, 1);
  assert.is(height, 2 * LINE + 2 * MARGIN);
  assert.ok(cellMatches(ink, 'Д', MARGIN + 31 * 8, MARGIN));
  assert.ok(cellMatches(ink, 'Д', MARGIN + 7 * 8, MARGIN + LINE));
  assert.ok(cellMatches(ink, ' ', MARGIN + 8 * 8, MARGIN + LINE));
});

it('zbarimg reads the QR code back from a picture with text above and below it', async () => {
  const data = 't=20261123T1859&s=985.80&fn=9999078900005488&i=3&fp=1704217560&n=1';
  const dir = mkdtempSync(join(tmpdir(), 'kassa-roll-'));
  try {
    for (const columns of [32, 48]) {
      const file = join(dir, `roll-${columns}.png`);
      writeFileSync(file, renderRollPng([text('САЙТ ФНС www.nalog.gov.ru'), { kind: 'qr', data, moduleSize: 6, errorLevel: 'M', align: 'center' }, text('СПАСИБО ЗА ПОКУПКУ', { align: 'center' })], { columns }));
      const { stdout } = await promisify(execFile)('zbarimg', ['--raw', '-q', file]);
      assert.is(stdout.trim(), data, `${columns} columns`);
    }
  } finally {
    removeDir(dir);
  }
});

it.run();
