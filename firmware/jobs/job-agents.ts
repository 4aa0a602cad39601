/**
 * Agent receipts as ATOL Online v4/v5 write them (`agent_info`, `supplier_info` on the receipt
 * and on items) → the register's ReceiptAgent / Supplier, with every problem at the path the
 * cloud wrote (issue 11 §2). The rules, and where they come from (SOURCES.md "Agent data"):
 *
 * - an item sold as agent — its own `agent_info`, or the receipt's — names its supplier's INN
 *   (1226; FNS letter АБ-4-20/19338@ of 25.11.2020; "000000000000" when it has none);
 * - in FFD 1.2 such an item names its supplier too (1225);
 * - supplier data goes with an agent sign, never alone (ATOL: "обязателен, если передан agent_info");
 * - FFD 1.2 carries agent data and supplier phones on the items only: on the receipt they are
 *   refused at their path, never dropped or moved.
 *
 * Pure. The FN checks none of this (the OFD's ФЛК does): the register refuses it first.
 */
import type { AgentData, ReceiptAgent, Supplier } from '../fiscal/receipt.ts';
import type { Problem, ValidationContext } from './job.ts';
import { checkInn, checkPhone, checkText } from './job-parties.ts';
import type { AtolAgentInfo, AtolSupplierInfo, CartItem } from './job-wire.ts';

/** INN 1226 takes this value when the supplier has no Russian INN (fiscal-spec §2.5). */
const NO_INN = '000000000000';

/** `agent_info` → ReceiptAgent; texts, phones and the INN checked. */
export function agentOf(src: AtolAgentInfo | undefined, path: string, ctx: ValidationContext, problems: Problem[]): ReceiptAgent | undefined {
  if (!src) return undefined;
  const d: { -readonly [K in keyof AgentData]: AgentData[K] } = {};
  const pay = src.paying_agent;
  const mto = src.money_transfer_operator;
  if (pay?.operation !== undefined && checkText(pay.operation, 1044, ctx, `${path}.paying_agent.operation`, problems)) d.operation = pay.operation;
  const phones = (list: readonly string[] | undefined, tag: number, at: string): string[] | undefined => (list ? list.filter((p, i) => phoneOk(p, tag, `${at}[${i}]`, ctx, problems)) : undefined);
  const agentPhones = phones(pay?.phones, 1073, `${path}.paying_agent.phones`);
  const operatorPhones = phones(src.receive_payments_operator?.phones, 1074, `${path}.receive_payments_operator.phones`);
  const transferPhones = phones(mto?.phones, 1075, `${path}.money_transfer_operator.phones`);
  if (agentPhones?.length) d.agentPhones = agentPhones;
  if (operatorPhones?.length) d.operatorPhones = operatorPhones;
  if (transferPhones?.length) d.transferPhones = transferPhones;
  if (mto?.name !== undefined && checkText(mto.name, 1026, ctx, `${path}.money_transfer_operator.name`, problems)) d.transferName = mto.name;
  if (mto?.address !== undefined && checkText(mto.address, 1005, ctx, `${path}.money_transfer_operator.address`, problems)) d.transferAddress = mto.address;
  if (mto?.inn !== undefined && checkInn(mto.inn, `${path}.money_transfer_operator.inn`, problems)) d.transferInn = mto.inn;
  return { type: src.type, ...(Object.keys(d).length > 0 ? { data: d } : {}) };
}

/** Item `supplier_info` → Supplier. */
export function supplierOf(src: AtolSupplierInfo | undefined, path: string, ctx: ValidationContext, problems: Problem[]): Supplier | undefined {
  if (!src) return undefined;
  const phones = (src.phones ?? []).filter((p, i) => phoneOk(p, 1171, `${path}.phones[${i}]`, ctx, problems));
  if (src.name !== undefined) checkText(src.name, 1225, ctx, `${path}.name`, problems);
  if (src.inn !== undefined && src.inn !== NO_INN) checkInn(src.inn, `${path}.inn`, problems);
  return { ...(phones.length ? { phones } : {}), ...(src.name !== undefined ? { name: src.name } : {}), ...(src.inn !== undefined ? { inn: src.inn } : {}) };
}

/** Receipt-level `supplier_info.phones` (1171 on an FFD 1.05 receipt). */
export function supplierPhonesOf(src: { readonly phones?: readonly string[] } | undefined, path: string, ctx: ValidationContext, problems: Problem[]): string[] {
  return (src?.phones ?? []).filter((p, i) => phoneOk(p, 1171, `${path}.phones[${i}]`, ctx, problems));
}

/** The rules that tie the receipt's agent to its items, and the FFD version's places (above). */
export function checkAgentRules(
  receipt: { readonly agent: AtolAgentInfo | undefined; readonly supplier: { readonly phones?: readonly string[] } | undefined },
  items: readonly { readonly agent: AtolAgentInfo | undefined; readonly supplier: AtolSupplierInfo | undefined }[],
  base: string,
  ctx: ValidationContext,
  problems: Problem[],
): void {
  if (receipt.supplier && !receipt.agent) problems.push({ path: `${base}.supplier_info`, message: 'supplier phones (1171) go with an agent sign: give agent_info on the receipt' });
  if (ctx.ffd === '1.2') {
    for (const k of ['paying_agent', 'receive_payments_operator', 'money_transfer_operator'] as const) {
      if (receipt.agent?.[k]) problems.push({ path: `${base}.agent_info.${k}`, message: `FFD 1.2 carries agent data (1223) on the items, not on the receipt: give it in items[].agent_info.${k}` });
    }
    if (receipt.supplier && receipt.agent) problems.push({ path: `${base}.supplier_info`, message: 'FFD 1.2 carries supplier phones (1171, in 1224) on the items, not on the receipt: give them in items[].supplier_info.phones' });
  }
  items.forEach((it, i) => checkItemAgent(it, receipt.agent !== undefined, `${base}.items[${i}]`, ctx, problems));
}

/** One item: supplier data needs an agent sign; an agent's item names its supplier (above). */
export function checkItemAgent(it: { readonly agent: AtolAgentInfo | undefined; readonly supplier: AtolSupplierInfo | undefined }, receiptAgent: boolean, path: string, ctx: ValidationContext, problems: Problem[]): void {
  if (it.agent === undefined && !receiptAgent) {
    if (it.supplier) problems.push({ path: `${path}.supplier_info`, message: 'supplier data (1224, 1226) goes with an agent sign: give agent_info on the item or the receipt' });
    return;
  }
  if (it.supplier?.inn === undefined) problems.push({ path: `${path}.supplier_info.inn`, message: `is required: an item sold as agent names its supplier's INN (1226; ${NO_INN} when the supplier has none)` });
  if (ctx.ffd === '1.2' && it.supplier?.name === undefined) problems.push({ path: `${path}.supplier_info.name`, message: 'is required in FFD 1.2: an item sold as agent names its supplier (1225)' });
}

function phoneOk(phone: string, tag: number, path: string, ctx: ValidationContext, problems: Problem[]): boolean {
  return checkPhone(phone, path, problems) && checkText(phone, tag, ctx, path, problems);
}

/** The Sberbank fiscal API's camelCase names of ATOL's (alekciy/php-ecom-sber-sdk; SOURCES.md). */
const SBER_NAMES: readonly (readonly [string, string])[] = [
  ['agent_info', 'agentInfo'],
  ['supplier_info', 'supplierInfo'],
  ['paying_agent', 'payingAgent'],
  ['receive_payments_operator', 'receivePaymentsOperator'],
  ['money_transfer_operator', 'moneyTransferOperator'],
];

/**
 * A Sberbank cart item's `agentInfo` / `supplierInfo` → the same agent and supplier an ATOL
 * item makes, checked by the same rules; problems name the cloud's camelCase path.
 */
export function sberItemParties(it: CartItem, path: string, ctx: ValidationContext, problems: Problem[]): { agent?: ReceiptAgent; supplier?: Supplier } {
  const a = it.agentInfo;
  const agentInfo: AtolAgentInfo | undefined = a && {
    type: a.type,
    ...(a.payingAgent ? { paying_agent: a.payingAgent } : {}),
    ...(a.receivePaymentsOperator ? { receive_payments_operator: a.receivePaymentsOperator } : {}),
    ...(a.moneyTransferOperator ? { money_transfer_operator: a.moneyTransferOperator } : {}),
  };
  const found: Problem[] = [];
  checkItemAgent({ agent: agentInfo, supplier: it.supplierInfo }, false, path, ctx, found);
  const agent = agentOf(agentInfo, `${path}.agent_info`, ctx, found);
  const supplier = supplierOf(it.supplierInfo, `${path}.supplier_info`, ctx, found);
  const rename = (text: string): string => SBER_NAMES.reduce((acc, [from, to]) => acc.split(from).join(to), text);
  problems.push(...found.map((p) => ({ ...p, path: rename(p.path), message: rename(p.message).replace(' or the receipt', '') }))); // a cart has no receipt-level agent
  return { ...(agent ? { agent } : {}), ...(supplier ? { supplier } : {}) };
}
