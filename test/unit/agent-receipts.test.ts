/**
 * Agent receipts (issue 11 §2; agent-tags.ts, job-agents.ts): the TLV bytes of 1057, 1222,
 * 1223, 1224, 1226 and the FFD 1.05 receipt-level tags, in FFD 1.05 and 1.2; the same read
 * back from the archive; what is printed; and the refusals with their exact complaint.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { DocumentInvalid } from '../../firmware/core/kassa-error.ts';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import { receiptFromTlv } from '../../firmware/fiscal/receipt-from-tlv.ts';
import type { Receipt, ReceiptItem } from '../../firmware/fiscal/receipt.ts';
import { decodeTlv, encodeNode, encodeTlv, findTag, type TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import { parsePayload, type PayloadOutcome } from '../../firmware/jobs/parse-job.ts';
import { layoutDocument } from '../../firmware/print/receipt-layout.ts';
import { receiptFiscal } from '../helpers/fiscal-fixtures.ts';
import { checkTlvData } from '../../drivers/fn/emulator/fn-tlv-check.ts';
import { FnRefusal } from '../../drivers/fn/emulator/fn-refusal.ts';
import { DEMO_JOB_CONTEXT } from '../helpers/job-context.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const cp866 = (s: string): string => Buffer.from(s, 'latin1').toString('hex'); // ASCII only here

const agentItem: ReceiptItem = {
  name: 'Payment',
  priceKopecks: 50000,
  quantity: '1',
  sumKopecks: 50000,
  measure: 'piece',
  vat: 'none',
  paymentMethod: 'full_payment',
  paymentObject: 'service',
  agent: { type: 'paying_agent', data: { operation: 'Op', agentPhones: ['+79000000011', '+79000000012'], transferInn: '7736050003' } },
  supplier: { phones: ['+79000000015'], name: 'S', inn: '7707083893' },
};
const receipt = (over: Partial<Receipt> = {}): Receipt => ({
  operation: 'sell',
  taxSystem: 'osn',
  items: [agentItem],
  payments: { cash: 50000 },
  totalKopecks: 50000,
  seller: { address: 'A' },
  ...over,
});
const items = (nodes: readonly TlvNode[]): TlvNode[] => nodes.filter((n) => n.tag === 1059).map((n) => n.value as TlvNode[])[0] ?? [];

const Bytes = suite('agent tags: the bytes');
for (const ffd of ['1.05', '1.2'] as const) {
  Bytes(`FFD ${ffd}: an item sold by a paying agent carries 1222, 1223 {1044, 1073 twice, 1016}, 1224 {1171, 1225}, 1226`, () => {
    const item = items(buildReceipt(receipt(), ffd).tlv);
    const pick = (tag: number): string => hex(encodeNode(findTag(item, tag) ?? { tag, value: '' }, ffd));
    assert.is(pick(1222), 'c604' + '0100' + '04', '1222 = 4, paying agent (bit 2)');
    const phone = (p: string): string => '3104' + '0c00' + cp866(p); // 1073 = 0x0431
    assert.is(pick(1223), 'c704' + '3600' + '1404' + '0200' + cp866('Op') + phone('+79000000011') + phone('+79000000012') + 'f803' + '0c00' + cp866('7736050003  '));
    assert.is(pick(1224), 'c804' + '1500' + '9304' + '0c00' + cp866('+79000000015') + 'c904' + '0100' + cp866('S'));
    assert.is(pick(1226), 'ca04' + '0c00' + cp866('7707083893  '), 'a 10-digit INN is space-padded to 12 bytes');
    assert.not.ok(findTag(buildReceipt(receipt(), ffd).tlv, 1057), 'no receipt-level sign when the receipt gives none');
  });
}
Bytes('FFD 1.05: the receipt-level sign 1057 and its data stand on the receipt, phones repeated', () => {
  const r = receipt({ agent: { type: 'another', data: { agentPhones: ['+79000000011', '+79000000012'] } }, supplierPhones: ['+79000000015'] });
  const tlv = buildReceipt(r, '1.05').tlv;
  assert.is(hex(encodeNode(findTag(tlv, 1057) ?? { tag: 0, value: 0 }, '1.05')), '2104' + '0100' + '40', '1057 = 64, another agent (bit 6)');
  assert.equal(tlv.filter((n) => n.tag === 1073).map((n) => n.value), ['+79000000011', '+79000000012']);
  assert.equal(tlv.filter((n) => n.tag === 1171).map((n) => n.value), ['+79000000015']);
  assert.equal(decodeTlv(encodeTlv(tlv, '1.05')).filter((n) => n.tag === 1073).length, 2, 'both phones survive the codec');
});
Bytes('FFD 1.2: 1057 on the receipt; agent data or supplier phones on the receipt are refused, never dropped', () => {
  assert.is(findTag(buildReceipt(receipt({ agent: { type: 'commission_agent' } }), '1.2').tlv, 1057)?.value, 32);
  try {
    buildReceipt(receipt({ agent: { type: 'another', data: { operation: 'Op' } }, supplierPhones: ['+79000000015'] }), '1.2');
    assert.unreachable('refused');
  } catch (e) {
    assert.instance(e, DocumentInvalid);
    assert.equal((e as DocumentInvalid).problems.map((p) => p.path), ['agent.data']);
  }
});
Bytes('an item sold as agent without a supplier INN is never formed', () => {
  const bare: ReceiptItem = { ...agentItem, supplier: { name: 'S' } };
  assert.throws(() => buildReceipt(receipt({ items: [bare] }), '1.2'), (e: unknown) => e instanceof DocumentInvalid && e.problems[0]?.path === 'items[0].supplier.inn');
  const { agent: _agent, supplier: _supplier, ...plain } = agentItem;
  assert.throws(() => buildReceipt(receipt({ items: [plain], agent: { type: 'attorney' } }), '1.05'), (e: unknown) => e instanceof DocumentInvalid && e.problems[0]?.path === 'items[0].supplier.inn');
});
Bytes("an item whose agent is the receipt's carries that sign as its 1222, beside its 1226 (fn-protocol §4.3.3: always together)", () => {
  const { agent: _own, ...onReceiptsAccount } = agentItem;
  for (const ffd of ['1.05', '1.2'] as const) {
    const item = items(buildReceipt(receipt({ items: [onReceiptsAccount], agent: { type: 'commission_agent' } }), ffd).tlv);
    assert.is(findTag(item, 1222)?.value, 32, `FFD ${ffd}: 1222 = 32, the receipt's commission agent`);
    assert.is(findTag(item, 1226)?.value, '7707083893', `FFD ${ffd}`);
    assert.not.ok(findTag(item, 1223), `FFD ${ffd}: the receipt's agent data stay where they were`);
  }
});
Bytes('a supplier INN with no agent sign on the item or the receipt is never formed', () => {
  const { agent: _own, ...noAgent } = agentItem;
  for (const ffd of ['1.05', '1.2'] as const) {
    assert.throws(
      () => buildReceipt(receipt({ items: [noAgent] }), ffd),
      (e: unknown) => e instanceof DocumentInvalid && e.problems.length === 1 && e.problems[0]?.path === 'items[0].supplier.inn' && /1222/.test(e.problems[0].message),
    );
  }
});
Bytes('the FN emulator in FFD 1.2 refuses an item with 1226 and no 1222, or 1222 and no 1226 (18h); in FFD 1.05 it does not check', () => {
  const item = (nodes: TlvNode[]): Uint8Array => encodeTlv([{ tag: 1059, value: [{ tag: 1030, value: 'X' }, ...nodes] }], '1.2');
  const refused = (e: unknown): boolean => e instanceof FnRefusal && e.fnCode === 0x18;
  assert.throws(() => checkTlvData(item([{ tag: 1226, value: '7707083893' }]), '1.2', new Set()), refused);
  assert.throws(() => checkTlvData(item([{ tag: 1222, value: 4 }]), '1.2', new Set()), refused);
  assert.equal(checkTlvData(item([{ tag: 1222, value: 4 }, { tag: 1226, value: '7707083893' }]), '1.2', new Set()), [1059]);
  assert.equal(checkTlvData(encodeTlv([{ tag: 1059, value: [{ tag: 1030, value: 'X' }, { tag: 1226, value: '7707083893' }] }], '1.05'), '1.05', new Set()), [1059]);
});
Bytes('the FN emulator takes an FFD 1.05 agent receipt with repeated phones, and refuses a phone longer than 1073 holds (18h)', () => {
  const r = receipt({ agent: { type: 'another', data: { agentPhones: ['+79000000011', '+79000000012'] } }, supplierPhones: ['+79000000015', '+79000000016'] });
  const tags = checkTlvData(encodeTlv(buildReceipt(r, '1.05').tlv, '1.05'), '1.05', new Set());
  assert.equal(tags.filter((t) => t === 1073 || t === 1171), [1073, 1073, 1171, 1171]);
  assert.throws(() => encodeTlv([{ tag: 1073, value: '+7900000001100000000' }], '1.05'), /1073|paymentAgentPhone/, 'the register itself never encodes it');
  const bytes = new Uint8Array([0x31, 0x04, 20, 0, ...new TextEncoder().encode('+7900000001100000000')]);
  assert.throws(() => checkTlvData(bytes, '1.05', new Set()), (e: unknown) => e instanceof FnRefusal && e.fnCode === 0x18);
});
Bytes.run();

const Back = suite('agent tags: read back from the archive, and on paper');
Back('a receipt read back from its TLV has the same agent and supplier (FFD 1.05 and 1.2)', () => {
  const r105 = receipt({ agent: { type: 'another', data: { agentPhones: ['+79000000011'] } }, supplierPhones: ['+79000000015'] });
  const back105 = receiptFromTlv([...decodeTlv(encodeTlv(buildReceipt(r105, '1.05').tlv, '1.05')), { tag: 1054, value: 1 }]);
  assert.equal(back105.agent, r105.agent);
  assert.equal(back105.supplierPhones, r105.supplierPhones);
  assert.equal(back105.items[0]?.agent, agentItem.agent);
  assert.equal(back105.items[0]?.supplier, agentItem.supplier);
  const back12 = receiptFromTlv([...decodeTlv(encodeTlv(buildReceipt(receipt(), '1.2').tlv, '1.2')), { tag: 1054, value: 1 }]);
  assert.equal(back12.items[0]?.agent, agentItem.agent);
});
Back('the paper shows the agent sign by its printed name, the agent data and the supplier name and INN', () => {
  const registration = parseConfig(readFileSync('device-config/demo.json', 'utf8')).registration;
  const r = receipt({ agent: { type: 'commission_agent' }, items: [{ ...agentItem, agent: { type: 'commission_agent' } }] });
  const text = layoutDocument({ job: { id: 'a', type: 'sell', receipt: r, electronic: false }, fiscal: receiptFiscal(registration, { totalKopecks: 50000 }), registration }, 48)
    .lines.map((l) => l.text)
    .join('\n');
  assert.match(text, /^ПРИЗНАК АГЕНТА +КОМИССИОНЕР$/m);
  assert.match(text, /^ {2}ПРИЗНАК АГЕНТА +КОМИССИОНЕР$/m);
  assert.match(text, /^ {2}ПОСТАВЩИК +S$/m);
  assert.match(text, /^ {2}ИНН ПОСТАВЩИКА +7707083893$/m);
  assert.match(text, /^ {2}ТЕЛ\. ПОСТАВЩИКА +\+79000000015$/m);
});
Back.run();

const Jobs = suite('agent data in jobs: refusals with their exact complaint');
const atol = (receiptOver: Record<string, unknown>, itemOver: Record<string, unknown>): PayloadOutcome => {
  const job = {
    version: 1,
    id: 'agent-job',
    type: 'sell',
    timestamp: '01.06.2025 12:00:00',
    receipt: {
      company: { sno: 'osn', inn: '7707083893', payment_address: 'shop.example.ru' },
      items: [{ name: 'Услуга', price: 100, quantity: 1, sum: 100, measure: 0, payment_method: 'full_payment', payment_object: 4, vat: { type: 'none' }, ...itemOver }],
      payments: [{ type: 0, sum: 100 }],
      total: 100,
      ...receiptOver,
    },
  };
  return parsePayload(new TextEncoder().encode(JSON.stringify(job)), DEMO_JOB_CONTEXT);
};
const problems = (o: PayloadOutcome): { path: string; message: string }[] => (o.kind === 'invalid' ? o.problems.map((p) => ({ path: p.path, message: p.message })) : []);
Jobs('an unknown agent type is a schema problem at its path', () => {
  const o = atol({}, { agent_info: { type: 'agent007' }, supplier_info: { inn: '7707083893', name: 'S' } });
  assert.equal(problems(o).map((p) => p.path), ['receipt.items[0].agent_info.type']);
});
Jobs('supplier data without an agent sign, and long or bad agent texts', () => {
  assert.equal(problems(atol({}, { supplier_info: { inn: '7707083893' } })), [
    { path: 'receipt.items[0].supplier_info', message: 'supplier data (1224, 1226) goes with an agent sign: give agent_info on the item or the receipt' },
  ]);
  const o = atol({}, {
    agent_info: { type: 'paying_agent', paying_agent: { operation: 'Прием платежа за услуги ЖКХ', phones: ['89000000011'] }, money_transfer_operator: { inn: '7707083890' } },
    supplier_info: { inn: '7707083893' },
  });
  assert.equal(problems(o), [
    { path: 'receipt.items[0].agent_info.paying_agent.operation', message: 'is 27 bytes in CP866; tag 1044 holds at most 24' },
    { path: 'receipt.items[0].agent_info.paying_agent.phones[0]', message: 'phone "89000000011" must be +7 and 10 digits (or + country code and number, digits only)' },
    { path: 'receipt.items[0].agent_info.money_transfer_operator.inn', message: 'INN 7707083890 fails its check digits' },
    { path: 'receipt.items[0].supplier_info.name', message: 'is required in FFD 1.2: an item sold as agent names its supplier (1225)' },
  ]);
});
Jobs('an FFD 1.05 register takes receipt-level agent data and forms it', () => {
  const job = {
    version: 1,
    id: 'agent-105',
    type: 'sell',
    receipt: {
      company: { sno: 'osn', inn: '7707083893', payment_address: 'shop.example.ru' },
      agent_info: { type: 'paying_agent', paying_agent: { operation: 'Платеж', phones: ['+79000000011'] } },
      supplier_info: { phones: ['+79000000015'] },
      items: [{ name: 'Услуга', price: 100, quantity: 1, sum: 100, measure: 0, payment_method: 'full_payment', payment_object: 4, vat: { type: 'none' }, supplier_info: { inn: '000000000000' } }],
      payments: [{ type: 0, sum: 100 }],
      total: 100,
    },
  };
  const o = parsePayload(new TextEncoder().encode(JSON.stringify(job)), { ...DEMO_JOB_CONTEXT, ffd: '1.05' });
  assert.ok(o.kind === 'job' && 'receipt' in o.job, JSON.stringify(o));
  const tlv = buildReceipt(o.job.receipt, '1.05').tlv;
  assert.equal([findTag(tlv, 1057)?.value, findTag(tlv, 1044)?.value, findTag(tlv, 1073)?.value, findTag(tlv, 1171)?.value], [4, 'Платеж', '+79000000011', '+79000000015']);
  assert.is(findTag(items(tlv), 1226)?.value, '000000000000');
});
Jobs.run();
