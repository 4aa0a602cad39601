/**
 * The printer emulator's ESC/POS interpreter (escpos-interpreter.ts): what it reads from the
 * bytes the register's encoder sends — text in CP866, style, QR, feeds, cut — the same
 * whether the bytes come whole or one at a time, as a serial line delivers them.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { EscPosInterpreter, type PrintedReceipt } from '../../drivers/printer/emulator/escpos-interpreter.ts';
import { encodeCp866 } from '../../firmware/fiscal/cp866.ts';
import { encodeLayout } from '../../firmware/print/escpos-printer.ts';

const it = suite('ESC/POS interpreter');

function interpret(chunks: Uint8Array[]): { receipts: PrintedReceipt[]; status: number[]; unknown: number } {
  const receipts: PrintedReceipt[] = [];
  const status: number[] = [];
  const i = new EscPosInterpreter({ onReceipt: (r) => receipts.push(r), onStatusRequest: (n) => status.push(n) });
  for (const c of chunks) i.push(c);
  return { receipts, status, unknown: i.stats.unknown };
}

const encoder = (): ReceiptPrinterEncoder => new ReceiptPrinterEncoder({ language: 'esc-pos', columns: 32, codepageMapping: 'epson' }).initialize().codepage('cp866');

it('CP866 text by lines, up to the cut', () => {
  const bytes = encoder().line('КАССОВЫЙ ЧЕК').line('Ёлка 1 шт').cut().encode();
  const { receipts } = interpret([bytes]);
  assert.is(receipts.length, 1);
  assert.equal(receipts[0]?.lines.filter((l) => l !== ''), ['КАССОВЫЙ ЧЕК', 'Ёлка 1 шт']);
});

it('the same receipt whether the bytes come whole or one at a time', () => {
  const bytes = encodeLayout({ lines: [{ text: 'ООО "Ромашка"', align: 'center', bold: true }, { text: 'ИТОГ =4188.45' }], qr: 't=20261123T1200&s=4188.45&fn=9999078900005488&i=42&fp=1234567890&n=1' }, 32);
  const whole = interpret([bytes]).receipts;
  const single = interpret(Array.from(bytes, (b) => Uint8Array.of(b))).receipts;
  assert.equal(single, whole);
  assert.is(whole.length, 1);
});

it('bold, size and alignment are kept per line', () => {
  const ESC = 0x1b;
  const GS = 0x1d;
  const bytes = Uint8Array.from([
    ESC, 0x40,
    ESC, 0x61, 1, ESC, 0x45, 1, ...encodeCp866('ЧЕК'), 0x0a,
    ESC, 0x45, 0, ESC, 0x61, 0, GS, 0x21, 0x11, ...encodeCp866('ИТОГ'), 0x0a,
    GS, 0x21, 0x00, ESC, 0x61, 2, ...encodeCp866('=1.00'), 0x0a,
    GS, 0x56, 0x00,
  ]);
  const rows = interpret([bytes]).receipts[0]?.rows;
  assert.equal(rows, [
    { kind: 'text', text: 'ЧЕК', align: 'center', bold: true, width: 1, height: 1 },
    { kind: 'text', text: 'ИТОГ', align: 'left', bold: false, width: 2, height: 2 },
    { kind: 'text', text: '=1.00', align: 'right', bold: false, width: 1, height: 1 },
  ]);
});

it('QR codes: the data, the module size and the error correction level', () => {
  const data = 't=20261123T1200&s=100.00&fn=9999078900005488&i=1&fp=1&n=1';
  const bytes = encoder().qrcode(data, { model: 2, size: 6, errorlevel: 'q' }).cut().encode();
  const r = interpret([bytes]).receipts[0];
  assert.equal(r?.qrCodes, [data]);
  assert.equal(r?.qrModuleSizes, [6]);
  assert.equal(r?.rows.filter((row) => row.kind === 'qr'), [{ kind: 'qr', data, moduleSize: 6, errorLevel: 'Q', align: 'left' }]);
});

it('ESC d n feeds n lines; DLE EOT requests are reported; unknown commands are skipped and counted', () => {
  const bytes = Uint8Array.from([0x41, 0x1b, 0x64, 0x03, 0x10, 0x04, 0x02, 0x1b, 0x99, 0x42, 0x0a, 0x1d, 0x56, 0x41, 0x00]);
  const { receipts, status, unknown } = interpret([bytes]);
  assert.equal(receipts[0]?.lines, ['A', '', '', 'B']);
  assert.equal(status, [2]);
  assert.is(unknown, 1);
});

it('an incomplete command waits for the rest of its bytes', () => {
  const data = 'x'.repeat(70);
  const bytes = encoder().qrcode(data, { model: 2, size: 6, errorlevel: 'm' }).cut().encode();
  const at = Array.from(bytes).findIndex((b, i) => b === 0x1d && bytes[i + 1] === 0x28 && bytes[i + 6] === 0x50); // GS ( k … fn 80 (store)
  const { receipts } = interpret([bytes.subarray(0, at + 10), bytes.subarray(at + 10)]);
  assert.equal(receipts[0]?.qrCodes, [data]);
});

it.run();
