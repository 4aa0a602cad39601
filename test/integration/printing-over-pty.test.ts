/**
 * Issue 4 acceptance (printing): over a real pty pair the ESC/POS printer and the printer
 * emulator; every mandatory field of a 30-item receipt on paper; the QR decoded from the
 * PNG with zbarimg equals the FNS string; paper out refuses, paper back prints; and through
 * the whole register: paper out after 16h → fiscalized, not printed → paper back → printed once.
 */
import { suite } from 'uvu';
import QRCode from 'qrcode';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PrinterEmulator } from '../../drivers/printer/emulator/printer-emulator.ts';
import { PrinterDriver } from '../../drivers/printer/printer-driver.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import type { BytePort } from '../../drivers/port.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { atolDateTime } from '../../firmware/core/local-time.ts';
import { fnsQrString } from '../../firmware/fiscal/fns-qr.ts';
import { rublesText } from '../../firmware/fiscal/money.ts';
import { vatTotals } from '../../firmware/fiscal/receipt-builder.ts';
import type { FiscalAttributes } from '../../firmware/jobs/job-result.ts';
import { EscPosPrinter } from '../../firmware/print/escpos-printer.ts';
import { removeDir } from '../helpers/app-rig.ts';
import { receiptFiscal, thirtyItems } from '../helpers/fiscal-fixtures.ts';
import { T0, testLog } from '../helpers/fn-rig.ts';
import { ptyPair, type PtyPair } from '../helpers/pty-pair.ts';
import { startPrinterAppRig } from '../helpers/printer-app-rig.ts';
import { pollUntil } from '../helpers/poll.ts';

const registration = parseConfig(readFileSync('device-config/demo.json', 'utf8')).registration;
const receipt = thirtyItems();
const fiscal: FiscalAttributes = receiptFiscal(registration, { totalKopecks: receipt.totalKopecks });

const it = suite<{ pty?: PtyPair; ports?: BytePort[]; emulator?: PrinterEmulator; printer?: EscPosPrinter; dir?: string }>('ESC/POS over a socat pty', {});

it.before(async (ctx) => {
  ctx.pty = await ptyPair();
  ctx.dir = mkdtempSync(join(tmpdir(), 'kassa-print-'));
  const device = await openSerialPort({ path: ctx.pty.b, baudRate: 38400 });
  const register = await openSerialPort({ path: ctx.pty.a, baudRate: 38400 });
  ctx.ports = [device, register];
  ctx.emulator = new PrinterEmulator({ port: device, clock: systemClock(), log: testLog() }, { outputDir: ctx.dir });
  ctx.emulator.start();
  const driver = new PrinterDriver({ port: register, clock: systemClock(), log: testLog() });
  driver.start();
  ctx.printer = new EscPosPrinter({ driver, log: testLog() }, 48);
});

it.after(async (ctx) => {
  for (const p of ctx.ports ?? []) await p.close();
  await ctx.pty?.close();
  if (ctx.dir) removeDir(ctx.dir);
});

it('a 30-item receipt: every mandatory field on paper, and a QR that scans to the FNS string', async (ctx) => {
  const next = ctx.emulator!.nextReceipt();
  assert.ok(await ctx.printer!.print({ job: { id: 'p1', type: 'sell', receipt, electronic: false }, fiscal, registration }));
  const printed = await next;
  // Every mandatory field of fiscal-spec §4.2 with its value, each on a line of its own.
  const lines = printed.lines.map((l) => l.trim());
  const money = (k: number): string => rublesText(k).replace('.', '\\.');
  const vat = Object.fromEntries(vatTotals(receipt.items).map((n) => [n.tag, n.value as number]));
  const cash = receipt.payments.cash ?? 0;
  for (const field of [
    /^КАССОВЫЙ ЧЕК$/,
    /^ПРИХОД$/,
    /^ООО "Ромашка"$/,
    /^ИНН +7707083893$/,
    /^г\. Москва, ул\. Льва Толстого, д\. 16$/,
    /^shop\.example\.ru$/,
    new RegExp(`^ДАТА ВРЕМЯ +${atolDateTime(T0).slice(0, 16).replace(/\./g, '\\.')}$`),
    /^СМЕНА +3$/,
    /^ЧЕК +7$/,
    /^ФД +42$/,
    /^ФН +9999078900005488$/,
    new RegExp(`^РН ККТ +${registration.rnm}$`),
    /^ФП +1234567890$/,
    /^СНО +ОСН$/,
    new RegExp(`^ИТОГ +=${money(receipt.totalKopecks)}$`),
    new RegExp(`^НАЛИЧНЫМИ +=${money(cash)}$`),
    new RegExp(`^БЕЗНАЛИЧНЫМИ +=${money(receipt.totalKopecks - cash)}$`),
    new RegExp(`^СУММА НДС 20% +=${money(vat[1102] ?? -1)}$`),
    new RegExp(`^СУММА НДС 10% +=${money(vat[1103] ?? -1)}$`),
    /^КАССИР +Иванова Мария$/,
    /^ИНН КАССИРА +500100732259$/,
    /^ТЕЛ\. ПОКУПАТЕЛЯ +\+79001234567$/, // the fixture's buyer contact is a phone
    /^ЭЛ\. АДР\. ОТПРАВИТЕЛЯ +receipts@shop\.example\.ru$/,
    /^САЙТ ФНС +www\.nalog\.gov\.ru$/,
  ]) {
    assert.ok(lines.some((l) => field.test(l)), `${field} is on the receipt`);
  }
  // Each item: its name whole (wrapped), price × quantity with the unit and the sum, VAT rate and sum, object and method.
  const flat = lines.join(' ');
  receipt.items.forEach((item, n) => {
    assert.ok(flat.includes(`${n + 1}. ${item.name}`) || flat.replace(/ +/g, ' ').includes(`${n + 1}. ${item.name}`.replace(/ +/g, ' ')), `item ${n + 1} named whole`);
    assert.ok(lines.some((l) => new RegExp(`^${item.quantity.replace('.', '\\.')} шт x ${money(item.priceKopecks)} +=${money(item.sumKopecks)}$`).test(l)), `item ${n + 1}: price × quantity = sum`);
  });
  assert.is(lines.filter((l) => /^НДС (20|10)% +=\d+\.\d\d$/.test(l)).length, receipt.items.length, 'a VAT line for every item');
  assert.is(lines.filter((l) => l === 'ТОВАР, ПОЛНЫЙ РАСЧЕТ').length, receipt.items.length, 'payment object and method for every item');
  const expected = fnsQrString({ dateTime: T0, totalKopecks: receipt.totalKopecks, fnNumber: fiscal.fnNumber, fd: 42, fpd: 1234567890, operationType: 1 });
  assert.equal(printed.qrCodes, [expected]);
  const png = join(ctx.dir!, `receipt-${String(ctx.emulator!.printed.length).padStart(4, '0')}.png`);
  const { stdout } = await promisify(execFile)('zbarimg', ['--raw', '-q', png]);
  assert.is(stdout.trim(), expected, 'zbarimg reads exactly the FNS string from the PNG');
  // At least 20 × 20 mm (FFD tag 1196): the code's real module count × the module size, 8 dots a millimetre at 203 dpi.
  const modules = QRCode.create(expected, { errorCorrectionLevel: 'M' }).modules.size;
  assert.ok(((printed.qrModuleSizes[0] ?? 0) * modules) / 8 >= 20, `${modules} modules × ${printed.qrModuleSizes[0]} dots ≥ 20 mm`);
});

it('paper out: print() says false and nothing is lost; paper back: it prints', async (ctx) => {
  ctx.emulator!.knobs.paperOut = true;
  const before = ctx.emulator!.printed.length;
  assert.is(await ctx.printer!.print({ job: { id: 'p2', type: 'sell', receipt, electronic: false }, fiscal, registration }), false);
  assert.is(ctx.emulator!.printed.length, before);
  ctx.emulator!.knobs.paperOut = false;
  const next = ctx.emulator!.nextReceipt();
  assert.ok(await ctx.printer!.print({ job: { id: 'p2', type: 'sell', receipt, electronic: false }, fiscal, registration }));
  assert.ok((await next).lines.join('\n').includes('КАССОВЫЙ ЧЕК'));
});

it('a restarted emulator continues the file numbers: nothing saved before is overwritten (issue 11 §4)', async (ctx) => {
  const dir = ctx.dir!;
  const before = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
  assert.ok(before.length >= 2, `receipts saved so far: ${before.join(', ')}`);
  const texts = before.map((f) => readFileSync(join(dir, f), 'utf8'));
  ctx.emulator!.stop();
  const device = ctx.ports![0]!;
  ctx.emulator = new PrinterEmulator({ port: device, clock: systemClock(), log: testLog() }, { outputDir: dir });
  ctx.emulator.start();
  const next = ctx.emulator.nextReceipt();
  assert.ok(await ctx.printer!.print({ job: { id: 'p3', type: 'sell', receipt, electronic: false }, fiscal, registration }));
  await next;
  const after = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
  assert.equal(after, [...before, `receipt-${String(before.length + 1).padStart(4, '0')}.txt`]);
  assert.equal(before.map((f) => readFileSync(join(dir, f), 'utf8')), texts, 'the earlier files are untouched');
});

it.run();

const register = suite('the register with its printer on a pty');

register('paper out after 16h: fiscalized, not printed; paper back: printed once, result done', async () => {
  const { emulator, rig, cloud, stop } = await startPrinterAppRig();
  try {
    await cloud.online();
    const base = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
    emulator.knobs.paperOut = true;
    await cloud.publish(JSON.stringify({ ...base, id: 'paper-1' }));
    await pollUntil(() => cloud.results.get('paper-1')?.some((r) => r.status === 'fiscalized_not_printed') ?? false, { timeoutMs: 10_000, what: 'paper-1 fiscalized, not printed' });
    const notPrinted = cloud.results.get('paper-1')?.find((r) => r.status === 'fiscalized_not_printed');
    assert.ok(notPrinted, 'the result says fiscalized, not printed');
    assert.is(notPrinted?.printed, false);
    const fd = notPrinted?.payload?.fiscal_document_number;
    assert.ok(fd);
    assert.is(emulator.printed.length, 0);

    emulator.knobs.paperOut = false;
    await cloud.publish(JSON.stringify({ version: 1, id: 'paper-continue', type: 'continue_printing' }));
    const done = await cloud.final('paper-1');
    assert.is(done.status, 'done');
    assert.is(done.printed, true);
    assert.is(done.payload?.fiscal_document_number, fd, 'the same document, never fiscalized again');
    // Prints come out in queue order: once the copy below is out, a second print of this receipt would be too.
    const originalsOf = (n: unknown): number => emulator.printed.filter((p) => p.lines.some((l) => l.trim() === 'КОПИЯ') === false && p.lines.some((l) => new RegExp(`^ФД +${n}$`).test(l.trim()))).length;
    assert.is(originalsOf(fd), 1, 'printed once by the time the result says printed');
    // The shift the register opened on its own for this receipt: its report came out first.
    assert.ok(emulator.printed[0]?.lines.some((l) => l.trim() === 'ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ'), 'the open-shift report is printed');
    assert.ok(emulator.printed[0]?.lines.some((l) => /^КАССИР +\S/.test(l.trim())), 'with its cashier');

    // A copy by FD number, rebuilt from the FN archive: the receipt's own layout under КОПИЯ.
    const original = emulator.printed.find((p) => p.lines.some((l) => l.includes('ФД') && l.includes(String(fd))));
    const before = emulator.printed.length;
    await cloud.publish(JSON.stringify({ version: 1, id: 'paper-copy', type: 'print_copy', fd }));
    assert.is((await cloud.final('paper-copy')).status, 'done');
    await pollUntil(() => emulator.printed.length > before, { timeoutMs: 10_000, what: 'the copy off the printer' });
    assert.is(originalsOf(fd), 1, 'printed exactly once: no second print came out before the copy');
    const copy = emulator.printed[before];
    // The encoder feeds a line after each cut, which starts the next paper: compare from the first text.
    const text = (lines: readonly string[] = []): string[] => lines.slice(lines.findIndex((l) => l.trim() !== ''));
    const copyLines = text(copy?.lines);
    assert.is(copyLines[0]?.trim(), 'КОПИЯ');
    assert.equal(copyLines.slice(1), text(original?.lines), 'the copy prints line for line what the original printed');
    assert.equal(copy?.qrCodes, original?.qrCodes);

    // An electronic receipt (internet: true) is fiscalized and not printed.
    const printedBefore = emulator.printed.length;
    await cloud.publish(JSON.stringify({ ...JSON.parse(readFileSync('device-config/samples/sell-orderbundle.json', 'utf8')), id: 'paper-electronic', internet: true }));
    const electronic = await cloud.final('paper-electronic');
    assert.is(electronic.status, 'done', JSON.stringify(electronic.error));
    assert.is(electronic.printed, undefined, 'no printed flag for an electronic receipt');

    // A copy without an FD number is a copy of the last document: here the electronic receipt.
    await cloud.publish(JSON.stringify({ version: 1, id: 'paper-copy-last', type: 'print_copy' }));
    assert.is((await cloud.final('paper-copy-last')).status, 'done');
    await pollUntil(() => emulator.printed.length > printedBefore, { timeoutMs: 10_000, what: 'the copy of the last document' });
    // In queue order, a print of the electronic receipt would have come out before this copy.
    assert.is(emulator.printed.length, printedBefore + 1, 'the electronic receipt never came off the printer: only the copy did');
    const lastCopy = emulator.printed[printedBefore]?.lines ?? [];
    assert.ok(lastCopy.some((l) => l.trim() === 'КОПИЯ'));
    assert.ok(lastCopy.some((l) => new RegExp(`^ФД +${electronic.payload?.fiscal_document_number}$`).test(l)), 'the last FD');
    assert.equal(emulator.printed[printedBefore]?.qrCodes, [electronic.payload?.qr]);
  } finally {
    await stop();
  }
});

register.run();
