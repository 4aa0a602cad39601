/**
 * What goes on paper (receipt-layout.ts, fiscal-spec §4.2): every line fits the paper at 32
 * and 48 columns, long names wrap at spaces and lose nothing, amounts are rubles.kopecks,
 * the QR is the FNS string, and each document type carries its own heading and fields.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { fnsQrString } from '../../firmware/fiscal/fns-qr.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import type { FiscalAttributes } from '../../firmware/jobs/job-result.ts';
import { layoutDocument, wrap } from '../../firmware/print/receipt-layout.ts';
import { reportDetails } from '../../firmware/print/report-details.ts';
import { correction, receiptFiscal, sellCashAndCard, thirtyItems } from '../helpers/fiscal-fixtures.ts';
import { T0 } from '../helpers/fn-rig.ts';

const it = suite('receipt layout');
const registration = parseConfig(readFileSync('device-config/demo.json', 'utf8')).registration;
const fiscal = (over: Partial<FiscalAttributes> = {}): FiscalAttributes => receiptFiscal(registration, over);
const texts = (lines: readonly { text: string }[]): string => lines.map((l) => l.text).join('\n');

it('every line fits the paper; every long name is printed whole, wrapped at spaces', () => {
  const receipt = thirtyItems();
  for (const columns of [32, 48]) {
    const layout = layoutDocument({ job: { id: 'a', type: 'sell', receipt, electronic: false }, fiscal: fiscal({ totalKopecks: receipt.totalKopecks }), registration }, columns);
    for (const l of layout.lines) assert.ok(l.text.length <= columns, `"${l.text}" fits ${columns} columns`);
    const flat = layout.lines.map((l) => l.text).join(' ').replace(/\s+/g, ' ');
    for (const item of receipt.items) assert.ok(flat.includes(`. ${item.name}`), `${columns}: "${item.name}" whole`);
  }
});

it('wrap() cuts at a space when there is one in the second half, else at the paper edge', () => {
  assert.equal(wrap('набор посуды Гжель фарфоровый', 16), ['набор посуды', 'Гжель фарфоровый']);
  assert.equal(wrap('Ж'.repeat(20), 8), ['ЖЖЖЖЖЖЖЖ', 'ЖЖЖЖЖЖЖЖ', 'ЖЖЖЖ']);
  assert.equal(wrap('', 8), ['']);
});

it('amounts are rubles and kopecks, quantities as given, sums right-aligned', () => {
  const layout = layoutDocument({ job: { id: 'a', type: 'sell', receipt: sellCashAndCard, electronic: false }, fiscal: fiscal(), registration }, 32);
  const text = texts(layout.lines);
  assert.match(text, /\n {2}2 шт x 89\.90 +=179\.80\n/);
  assert.match(text, /\nИТОГ +=234\.30\n/);
  assert.match(text, /\nНАЛИЧНЫМИ +=100\.00\n/);
  assert.match(text, /\nБЕЗНАЛИЧНЫМИ +=134\.30\n/);
  assert.match(text, /\nСУММА НДС 20% +=29\.97\n/);
  assert.match(text, /\nСУММА НДС 10% +=4\.95\n/);
  assert.match(text, /\nЭЛ\. АДР\. ПОКУПАТЕЛЯ\n +buyer@example\.ru\n/, 'an e-mail is ЭЛ. АДР.; too long for one line, the value goes right-aligned below');
  assert.is(layout.qr, fnsQrString({ dateTime: T0, totalKopecks: 23430, fnNumber: '9999078900005488', fd: 42, fpd: 1234567890, operationType: 1 }));
  assert.is(layout.lines[0]?.text, 'ООО "Ромашка"');
});

it('a refund, a buy and their calculation signs in words', () => {
  for (const [type, op, words] of [['sell_refund', 2, 'ВОЗВРАТ ПРИХОДА'], ['buy', 3, 'РАСХОД'], ['buy_refund', 4, 'ВОЗВРАТ РАСХОДА']] as const) {
    const receipt = { ...sellCashAndCard, operation: type };
    const layout = layoutDocument({ job: { id: 'a', type, receipt, electronic: false }, fiscal: fiscal({ operationType: op }), registration }, 48);
    assert.ok(layout.lines.some((l) => l.text === words && l.align === 'center'), words);
    assert.match(layout.qr ?? '', new RegExp(`&n=${op}$`));
  }
});

it('a correction receipt names its type and the date of the corrected settlement', () => {
  const c = correction(T0 - 86400);
  const layout = layoutDocument({ job: { id: 'c', type: 'sell_correction', correction: c, electronic: false }, fiscal: fiscal({ fdType: FD_TYPE.correctionReceipt, totalKopecks: c.totalKopecks }), registration }, 48);
  const text = texts(layout.lines);
  assert.match(text, /КАССОВЫЙ ЧЕК КОРРЕКЦИИ/);
  assert.match(text, /ТИП КОРРЕКЦИИ +САМОСТОЯТЕЛЬНО/);
  assert.match(text, /ДАТА РАСЧЕТА +22\.11\.2026/);
  assert.ok(layout.qr);
});

it('shift reports and the settlement-state report: heading, cashier, numbers, no QR', () => {
  for (const [fdType, heading] of [[FD_TYPE.openShift, 'ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ'], [FD_TYPE.closeShift, 'ОТЧЕТ О ЗАКРЫТИИ СМЕНЫ'], [FD_TYPE.stateReport, 'ОТЧЕТ О ТЕКУЩЕМ СОСТОЯНИИ РАСЧЕТОВ']] as const) {
    const { receiptNumber: _r, operationType: _o, totalKopecks: _t, ...report } = fiscal({ fdType });
    const layout = layoutDocument({ job: { id: 'r', type: 'open_shift' }, fiscal: report, registration, details: [['КАССИР', 'Иванова Мария']] }, 48);
    const lines = layout.lines.map((l) => l.text);
    for (const field of [new RegExp(`^${heading}$`), /^КАССИР +Иванова Мария$/, /^СМЕНА +3$/, /^ФД +42$/, /^ФП +1234567890$/, /^ФН +9999078900005488$/, /^РН ККТ +\d{16}$/, /^ДАТА ВРЕМЯ +\d\d\.\d\d\.\d{4} \d\d:\d\d$/]) {
      assert.ok(lines.some((l) => field.test(l)), `${heading}: ${field}`);
    }
    assert.not.ok(lines.some((l) => /^ЧЕК +/.test(l)), 'no receipt number on a report');
    assert.is(layout.qr, undefined);
  }
});

it('VAT totals are the ones the document carries; "without VAT" reads СУММА БЕЗ НДС', () => {
  const receipt = { ...sellCashAndCard, items: sellCashAndCard.items.map((i) => ({ ...i, vat: 'none' as const })) };
  const text = texts(layoutDocument({ job: { id: 'a', type: 'sell', receipt, electronic: false }, fiscal: fiscal(), registration }, 48).lines);
  assert.match(text, /\nСУММА БЕЗ НДС +=234\.30\n/);
  assert.not.match(text, /СУММА С БЕЗ НДС/);
  // A copy prints the stored totals, even without items to sum.
  const stored = { ...sellCashAndCard, items: [], storedVatTotals: { 1102: 1234 } };
  const copy = texts(layoutDocument({ job: { id: 'c', type: 'sell', receipt: stored, electronic: false }, fiscal: fiscal(), registration, copy: true }, 48).lines);
  assert.match(copy, /\nСУММА НДС 20% +=12\.34\n/);
});

it('an FFD 1.05 correction receipt prints no items (it carries none), its basis and VAT totals', () => {
  const c = correction(T0 - 86400, '1.05');
  const layout = layoutDocument({ job: { id: 'c', type: 'sell_correction', correction: c, electronic: false }, fiscal: fiscal({ fdType: FD_TYPE.correctionReceipt, totalKopecks: c.totalKopecks }), registration: { ...registration, ffd: '1.05' } }, 48);
  const text = texts(layout.lines);
  assert.not.match(text, /Неотбитая продажа/);
  assert.match(text, /ОСНОВАНИЕ КОРРЕКЦИИ +Самостоятельно/);
  assert.match(text, /\nСУММА НДС 20% +=41\.67\n/);
});

it('a buyer named by name and INN (1227, 1228) is printed, in FFD 1.05 and 1.2, as the document carries it', () => {
  const receipt = { ...sellCashAndCard, buyer: { name: 'ООО Покупатель', inn: '7736050003', contact: 'buyer@example.ru' } };
  for (const ffd of ['1.05', '1.2'] as const) {
    const text = texts(layoutDocument({ job: { id: 'b', type: 'sell', receipt, electronic: false }, fiscal: fiscal({ totalKopecks: receipt.totalKopecks }), registration: { ...registration, ffd } }, 48).lines);
    assert.match(text, /\nПОКУПАТЕЛЬ +ООО Покупатель\n/, ffd);
    assert.match(text, /\nИНН ПОКУПАТЕЛЯ +7736050003\n/, ffd);
    assert.match(text, /\nЭЛ\. АДР\. ПОКУПАТЕЛЯ +buyer@example\.ru\n/, ffd);
  }
});

it('2026 rates: a total line per rate from 1115, none with value 0, 1104 = 0 not printed', () => {
  const receipt = {
    ...sellCashAndCard,
    taxSystem: 'usn_income' as const,
    items: [
      { ...sellCashAndCard.items[0]!, name: 'Подарок', priceKopecks: 0, sumKopecks: 0, vat: 'none' as const },
      { ...sellCashAndCard.items[0]!, name: 'Чайник', priceKopecks: 122000, sumKopecks: 122000, vat: 'vat22' as const },
      { ...sellCashAndCard.items[0]!, name: 'Аванс', priceKopecks: 10500, sumKopecks: 10500, vat: 'vat105' as const },
    ],
    payments: { electronic: 132500 },
    totalKopecks: 132500,
  };
  const text = texts(layoutDocument({ job: { id: 'v', type: 'sell', receipt, electronic: false }, fiscal: fiscal({ totalKopecks: 132500 }), registration }, 48).lines);
  assert.match(text, /\n  НДС 22% +=220\.00\n/);
  assert.match(text, /\nСУММА НДС 5\/105 +=5\.00\n/);
  assert.match(text, /\nСУММА НДС 22% +=220\.00\n/);
  assert.not.match(text, /СУММА БЕЗ НДС/);
  assert.not.match(text, /СУММА С НДС 0%/);
  assert.not.match(text, /\nСУММА[^\n]*=0\.00\n/);
});

it('paper is read from the formed document: a field the FFD cannot carry never reaches it', () => {
  // An FFD 1.2 correction with a basis name (1177) is refused by the builder, so it is never
  // formed; the layout reads the document, not the job, and has nothing to print from it.
  const c = { ...correction(T0 - 86400), correction: { ...correction(T0 - 86400).correction, baseName: 'Акт' } };
  assert.throws(() => layoutDocument({ job: { id: 'c', type: 'sell_correction', correction: c, electronic: false }, fiscal: fiscal({ fdType: FD_TYPE.correctionReceipt, totalKopecks: c.totalKopecks }), registration }, 48), /1177/);
  // In FFD 1.05 the same name is in the document, and on paper.
  const c105 = correction(T0 - 86400, '1.05');
  const text = texts(layoutDocument({ job: { id: 'c', type: 'sell_correction', correction: c105, electronic: false }, fiscal: fiscal({ fdType: FD_TYPE.correctionReceipt, totalKopecks: c105.totalKopecks }), registration: { ...registration, ffd: '1.05' } }, 48).lines);
  assert.match(text, /ОСНОВАНИЕ КОРРЕКЦИИ +Самостоятельно/);
});

it('an X-report prints its lines without fiscal numbers; a copy is headed КОПИЯ', () => {
  const x = layoutDocument({ job: { id: 'x', type: 'x_report' }, registration, title: 'X-ОТЧЕТ', details: [['СМЕНА', '3 ОТКРЫТА'], ['ЧЕКОВ ЗА СМЕНУ', '7']] }, 32);
  assert.ok(x.lines.some((l) => l.text === 'X-ОТЧЕТ' && l.align === 'center' && l.bold), 'its heading');
  assert.ok(x.lines.some((l) => /^ЧЕКОВ ЗА СМЕНУ +7$/.test(l.text)));
  assert.not.ok(x.lines.some((l) => l.text.startsWith('ФП')));
  const copy = layoutDocument({ job: { id: 'a', type: 'sell', receipt: sellCashAndCard, electronic: false }, fiscal: fiscal(), registration, copy: true }, 32);
  assert.equal(copy.lines[0], { text: 'КОПИЯ', align: 'center', bold: true });
});

it('report details: the cashier of shift and state reports, the state report\'s backlog; nothing for receipts', () => {
  assert.equal(reportDetails({ fdType: FD_TYPE.openShift, cashier: 'Иванова Мария' }), [['КАССИР', 'Иванова Мария']]);
  assert.equal(reportDetails({ fdType: FD_TYPE.stateReport, cashier: 'Иванова Мария', unconfirmedCount: 3, firstUnconfirmedDate: T0 }), [
    ['КАССИР', 'Иванова Мария'],
    ['НЕПЕРЕДАННЫХ ФД', '3'],
    ['ПЕРВЫЙ НЕПЕРЕДАННЫЙ ФД ОТ', '23.11.2026'],
  ]);
  assert.equal(reportDetails({ fdType: FD_TYPE.stateReport, unconfirmedCount: 0, firstUnconfirmedDate: T0 }), [['НЕПЕРЕДАННЫХ ФД', '0']], 'no date when nothing waits');
  assert.equal(reportDetails({ fdType: FD_TYPE.receipt, cashier: 'Иванова Мария' }), []);
});

it.run();
