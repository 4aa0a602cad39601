/**
 * Agent receipts (issue 11 §2): the agent sign and the agent's and supplier's data, in the
 * places each FFD version gives them (SOURCES.md "Agent data"). Pure; the builder and the
 * archive reader both use these, so what is printed is what the document carries.
 *
 *   receipt   1057 agent sign (bit mask), both FFD versions
 *             FFD 1.05 only: 1044, 1073…, 1074…, 1075…, 1026, 1005, 1016 (agent data) and
 *             1171… (supplier phones) on the receipt itself (ММВ-7-20/229@ Table 20)
 *   item 1059 1222 agent sign, 1223 {1044, 1073…, 1074…, 1075…, 1026, 1005, 1016},
 *             1224 {1171…, 1225}, 1226 supplier INN (Tables 21–23)
 *
 * "…" marks a tag repeated once per phone (the tables' "Повт." column says "Да").
 */
import type { AgentData, ReceiptAgent, Supplier } from './receipt.ts';
import type { TlvNode } from './tlv-codec.ts';

/**
 * The agent types: ATOL Online `agent_info.type` (v4 and v5; the Sberbank fiscal API uses the
 * same names), the bit of 1057 / 1222, and the printed form of the sign [M: the FFD print
 * forms of Table 10, as public registers print them; SOURCES.md].
 */
export const AGENT_TYPES = [
  { id: 'bank_paying_agent', bit: 1, label: 'БАНК. ПЛ. АГЕНТ' },
  { id: 'bank_paying_subagent', bit: 2, label: 'БАНК. ПЛ. СУБАГЕНТ' },
  { id: 'paying_agent', bit: 4, label: 'ПЛ. АГЕНТ' },
  { id: 'paying_subagent', bit: 8, label: 'ПЛ. СУБАГЕНТ' },
  { id: 'attorney', bit: 16, label: 'ПОВЕРЕННЫЙ' },
  { id: 'commission_agent', bit: 32, label: 'КОМИССИОНЕР' },
  { id: 'another', bit: 64, label: 'АГЕНТ' },
] as const;
export type AgentTypeId = (typeof AGENT_TYPES)[number]['id'];

export function agentType(id: string): (typeof AGENT_TYPES)[number] | undefined {
  return AGENT_TYPES.find((a) => a.id === id);
}

function agentTypeByBit(bit: number | undefined): AgentTypeId | undefined {
  return AGENT_TYPES.find((a) => a.bit === bit)?.id;
}

/** The agent data tags in the order of Table 22; phones repeat their tag. */
export function agentDataTags(d: AgentData): TlvNode[] {
  return [
    ...(d.transferPhones ?? []).map((value) => ({ tag: 1075, value })),
    ...(d.operation ? [{ tag: 1044, value: d.operation }] : []),
    ...(d.agentPhones ?? []).map((value) => ({ tag: 1073, value })),
    ...(d.operatorPhones ?? []).map((value) => ({ tag: 1074, value })),
    ...(d.transferName ? [{ tag: 1026, value: d.transferName }] : []),
    ...(d.transferAddress ? [{ tag: 1005, value: d.transferAddress }] : []),
    ...(d.transferInn ? [{ tag: 1016, value: d.transferInn }] : []),
  ];
}

/**
 * 1222, 1223, 1224, 1226 of one item; nothing for an item sold on the seller's own account.
 * An item with its supplier's INN (1226) and no agent of its own carries the receipt's agent
 * sign as its 1222 (`receiptSign`, the bit of 1057): an FN 1.2 in FFD 1.1/1.2 mode takes 1222
 * and 1226 only together (fn-protocol §4.3.3: «всегда должны быть указаны вместе»).
 */
export function itemAgentTags(agent: ReceiptAgent | undefined, supplier: Supplier | undefined, receiptSign?: number): TlvNode[] {
  const nodes: TlvNode[] = [];
  if (agent) {
    nodes.push({ tag: 1222, value: agentType(agent.type)?.bit ?? 0 });
    const data = agent.data ? agentDataTags(agent.data) : [];
    if (data.length > 0) nodes.push({ tag: 1223, value: data });
  } else if (supplier?.inn && receiptSign !== undefined) {
    nodes.push({ tag: 1222, value: receiptSign });
  }
  if (supplier) {
    const data: TlvNode[] = [...(supplier.phones ?? []).map((value) => ({ tag: 1171, value })), ...(supplier.name ? [{ tag: 1225, value: supplier.name }] : [])];
    if (data.length > 0) nodes.push({ tag: 1224, value: data });
    if (supplier.inn) nodes.push({ tag: 1226, value: supplier.inn });
  }
  return nodes;
}

/** Reads an item's or a receipt's agent back from its tags (receipt-from-tlv.ts). */
export function agentFromTlv(nodes: readonly TlvNode[], signTag: 1057 | 1222): ReceiptAgent | undefined {
  const type = agentTypeByBit(num(nodes, signTag));
  if (!type) return undefined;
  const inner = nodes.find((n) => n.tag === 1223)?.value;
  const data = agentDataFromTlv(Array.isArray(inner) ? (inner as TlvNode[]) : signTag === 1057 ? nodes : []);
  return { type, ...(data ? { data } : {}) };
}

export function supplierFromTlv(nodes: readonly TlvNode[]): Supplier | undefined {
  const inner = nodes.find((n) => n.tag === 1224)?.value;
  const data = Array.isArray(inner) ? (inner as TlvNode[]) : [];
  const phones = strs(data, 1171);
  const name = str(data, 1225);
  const inn = str(nodes, 1226);
  if (phones.length === 0 && !name && !inn) return undefined;
  return { ...(phones.length ? { phones } : {}), ...(name ? { name } : {}), ...(inn ? { inn } : {}) };
}

function agentDataFromTlv(nodes: readonly TlvNode[]): AgentData | undefined {
  const d: { -readonly [K in keyof AgentData]: AgentData[K] } = {};
  const operation = str(nodes, 1044);
  if (operation) d.operation = operation;
  for (const [tag, key] of [[1073, 'agentPhones'], [1074, 'operatorPhones'], [1075, 'transferPhones']] as const) {
    const list = strs(nodes, tag);
    if (list.length) d[key] = list;
  }
  for (const [tag, key] of [[1026, 'transferName'], [1005, 'transferAddress'], [1016, 'transferInn']] as const) {
    const v = str(nodes, tag);
    if (v) d[key] = v;
  }
  return Object.keys(d).length > 0 ? d : undefined;
}

const num = (nodes: readonly TlvNode[], tag: number): number | undefined => {
  const v = nodes.find((n) => n.tag === tag)?.value;
  return typeof v === 'number' ? v : undefined;
};
const str = (nodes: readonly TlvNode[], tag: number): string | undefined => strs(nodes, tag)[0];
const strs = (nodes: readonly TlvNode[], tag: number): string[] => nodes.flatMap((n) => (n.tag === tag && typeof n.value === 'string' ? [n.value] : []));

/**
 * What each tag is called on paper [M: the short print forms of the FFD tables, as public
 * registers print them; SOURCES.md]. Order as in agentDataTags.
 */
export const AGENT_PRINT_LABELS: Readonly<Record<number, string>> = {
  1057: 'ПРИЗНАК АГЕНТА',
  1222: 'ПРИЗНАК АГЕНТА',
  1075: 'ТЕЛ. ОП. ПЕРЕВОДА',
  1044: 'ОПЕРАЦИЯ АГЕНТА',
  1073: 'ТЕЛ. ПЛ. АГЕНТА',
  1074: 'ТЕЛ. ОП. ПР. ПЛАТЕЖА',
  1026: 'ОП. ПЕРЕВОДА',
  1005: 'АДР. ОП. ПЕРЕВОДА',
  1016: 'ИНН ОП. ПЕРЕВОДА',
  1171: 'ТЕЛ. ПОСТАВЩИКА',
  1225: 'ПОСТАВЩИК',
  1226: 'ИНН ПОСТАВЩИКА',
};

/** The printed lines of an agent sign and its data, and of a supplier: [label, value] pairs. */
export function agentPrintPairs(agent: ReceiptAgent | undefined, signTag: 1057 | 1222, supplier?: Supplier, supplierPhones: readonly string[] = []): [string, string][] {
  const pairs: [string, string][] = [];
  const label = (tag: number): string => AGENT_PRINT_LABELS[tag] ?? String(tag);
  if (agent) pairs.push([label(signTag), agentType(agent.type)?.label ?? agent.type]);
  for (const n of agent?.data ? agentDataTags(agent.data) : []) pairs.push([label(n.tag), String(n.value)]);
  for (const p of supplierPhones) pairs.push([label(1171), p]);
  if (supplier?.name) pairs.push([label(1225), supplier.name]);
  if (supplier?.inn) pairs.push([label(1226), supplier.inn]);
  for (const p of supplier?.phones ?? []) pairs.push([label(1171), p]);
  return pairs;
}
