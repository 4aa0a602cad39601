/**
 * 36h, the FN's counters (fn-protocol §4.2.1, Tables 15–18), through the real driver against the
 * emulator: receipts by calculation sign with their payment and VAT sums, correction receipts,
 * the shift's counters against the FN's, receipts at a 2026 rate (counted, with no VAT field of
 * their own in Table 17), and FFD 1.05 mode, where 36h is not a command of the FN.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { decodeCounterBlocks, type CounterBlocks } from '../../drivers/fn/fn-counters.ts';
import { FnError } from '../../drivers/fn/fn-error.ts';
import { buildCorrectionReceipt, buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import type { Receipt } from '../../firmware/fiscal/receipt.ts';
import { decodeTlv, findTag } from '../../firmware/fiscal/tlv-codec.ts';
import { readArchivedTlv } from '../../drivers/fn/fn-procedures.ts';
import { cashierTags, correction, sellCashAndCard, sellRefund } from '../helpers/fiscal-fixtures.ts';
import { T0, type FnRig } from '../helpers/fn-rig.ts';
import { registeredRig } from '../helpers/fn-session.ts';

const HOUR = 3600;
const at22: Receipt = {
  ...sellCashAndCard,
  items: [{ ...sellCashAndCard.items[0]!, name: 'Чайник электрический', priceKopecks: 122000, quantity: '1', sumKopecks: 122000, vat: 'vat22' }],
  payments: { electronic: 122000 },
  totalKopecks: 122000,
};

async function counters(rig: FnRig, kind: 0 | 1): Promise<{ shiftNumber: number; operations: number } & CounterBlocks> {
  const v = (await rig.driver.execute(FN.getCounters, { kind })).value;
  return { shiftNumber: v.shiftNumber, operations: v.operations, ...decodeCounterBlocks(v.blocks) };
}

/** A tag's number value in formed document `fd`, as the FN archive holds it. */
async function tagOf(rig: FnRig, fd: number, tag: number): Promise<number> {
  return (findTag(decodeTlv((await readArchivedTlv(rig.driver, fd)).tlv), tag)?.value as number | undefined) ?? 0;
}

const it = suite('FN counters (36h)');

it('receipts by sign with their payment and VAT sums; corrections; a 22 % receipt counted with no VAT field of its own', async () => {
  const rig = await registeredRig('1.2');
  const first = await rig.fn.formReceipt('1.2', rig.at(T0 + 120), buildReceipt(sellCashAndCard, '1.2'));
  const second = await rig.fn.formReceipt('1.2', rig.at(T0 + 180), buildReceipt(at22, '1.2'));
  await rig.fn.formReceipt('1.2', rig.at(T0 + 240), buildReceipt(sellRefund, '1.2'));
  await rig.fn.formReceipt('1.2', rig.at(T0 + 300), buildCorrectionReceipt(correction(T0 - 86400, '1.2'), '1.2'));

  const c = await counters(rig, 0);
  assert.is(c.shiftNumber, 1);
  assert.is(c.operations, 4);
  assert.is(c.sell.count, 2);
  assert.is(c.sell.total, 23430 + 122000);
  assert.is(c.sell.cash, 10000);
  assert.is(c.sell.electronic, 13430 + 122000);
  assert.equal([c.sell.prepaid, c.sell.credit, c.sell.barter], [0, 0, 0]);
  // The 20 % and 10 % fields are the first receipt's 1102 and 1103; the 22 % receipt adds nothing to any VAT field.
  assert.is(c.sell.vat20, await tagOf(rig, first.fd, 1102));
  assert.is(c.sell.vat10, await tagOf(rig, first.fd, 1103));
  assert.ok(c.sell.vat20 > 0 && c.sell.vat10 > 0);
  assert.equal([c.sell.sumVat0, c.sell.sumNoVat, c.sell.vat120, c.sell.vat110], [0, 0, 0, 0]);
  assert.is(await tagOf(rig, second.fd, 1102), 0, 'the 22 % receipt has its VAT in 1115, not in 1102');
  assert.equal({ count: c.sellRefund.count, total: c.sellRefund.total, electronic: c.sellRefund.electronic }, { count: 1, total: 8990, electronic: 8990 });
  assert.equal([c.buy.count, c.buyRefund.count], [0, 0]);
  assert.equal(c.corrections, { count: 1, sellCount: 1, sellTotal: 25000, sellRefundCount: 0, sellRefundTotal: 0, buyCount: 0, buyTotal: 0, buyRefundCount: 0, buyRefundTotal: 0 });
});

it('the shift counters start again with each shift; the FN counters keep everything', async () => {
  const rig = await registeredRig('1.2');
  await rig.fn.formReceipt('1.2', rig.at(T0 + 120), buildReceipt(sellCashAndCard, '1.2'));
  await rig.fn.closeShift('1.2', rig.at(T0 + HOUR), cashierTags);
  await rig.fn.openShift('1.2', rig.at(T0 + 2 * HOUR), cashierTags);
  await rig.fn.formReceipt('1.2', rig.at(T0 + 2 * HOUR + 60), buildReceipt(at22, '1.2'));

  const shift = await counters(rig, 0);
  assert.equal({ n: shift.shiftNumber, ops: shift.operations, count: shift.sell.count, total: shift.sell.total }, { n: 2, ops: 1, count: 1, total: 122000 });
  const fn = await counters(rig, 1);
  assert.equal({ n: fn.shiftNumber, ops: fn.operations, count: fn.sell.count, total: fn.sell.total }, { n: 2, ops: 2, count: 2, total: 23430 + 122000 });
});

it('FFD 1.05: 36h is not a command of the FN (01h); a counter type other than 0 and 1 is refused too', async () => {
  const old = await registeredRig('1.05');
  const e105 = await old.driver.execute(FN.getCounters, { kind: 0 }).catch((e: unknown) => e);
  assert.ok(e105 instanceof FnError && e105.fnCode === 0x01, String(e105));
  const rig = await registeredRig('1.2');
  const bad = await rig.driver.execute(FN.getCounters, { kind: 2 }).catch((e: unknown) => e);
  assert.ok(bad instanceof FnError && bad.fnCode === 0x01, String(bad));
});

it.run();
