/**
 * The register's own model of a receipt: what the fiscal pipeline hands to the document
 * builder once a job has been parsed. Money is integer kopecks; a quantity is an exact
 * decimal string (DESIGN.md §3 rule 9). Codes are the ids of receipt-codes.ts and
 * vat-rates.ts, which follow ATOL Online's names.
 */
import type { Operation, PaymentTypeId, TaxSystem } from './receipt-codes.ts';
import type { VatRateId } from './vat-rates.ts';

export interface ReceiptItem {
  readonly name: string;
  readonly priceKopecks: number;
  /** Exact decimal, e.g. "1", "0.250". */
  readonly quantity: string;
  readonly sumKopecks: number;
  /** An id of MEASURES (2108 in FFD 1.2, printed unit 1197 in FFD 1.05). */
  readonly measure: string;
  readonly vat: VatRateId;
  /** The item's VAT; computed from the sum and the rate when absent. */
  readonly vatSumKopecks?: number;
  readonly paymentMethod: string;
  readonly paymentObject: string;
  /** Sold as an agent (1222, 1223); the receipt's `agent` applies when absent. */
  readonly agent?: ReceiptAgent;
  /** The principal whose goods the agent sells (1224, 1226). */
  readonly supplier?: Supplier;
}

/**
 * The agent data (1223 on an item; on the receipt itself in FFD 1.05): payment agent
 * operation 1044 and phones 1073, payment operator phones 1074, money transfer operator
 * phones 1075, name 1026, address 1005, INN 1016 (agent-tags.ts).
 */
export interface AgentData {
  readonly operation?: string;
  readonly agentPhones?: readonly string[];
  readonly operatorPhones?: readonly string[];
  readonly transferPhones?: readonly string[];
  readonly transferName?: string;
  readonly transferAddress?: string;
  readonly transferInn?: string;
}

/** An agent sign (1057 on the receipt, 1222 on an item) with its data. */
export interface ReceiptAgent {
  /** An id of AGENT_TYPES (agent-tags.ts): ATOL's `agent_info.type`. */
  readonly type: string;
  readonly data?: AgentData;
}

/** The supplier (principal): phones 1171 and name 1225 in 1224, INN 1226 ("000000000000" when it has none). */
export interface Supplier {
  readonly phones?: readonly string[];
  readonly name?: string;
  readonly inn?: string;
}

export interface Cashier {
  readonly name: string;
  readonly inn?: string;
}

export interface Buyer {
  /** Phone (+7…) or e-mail for the electronic receipt (1008). */
  readonly contact?: string;
  readonly name?: string;
  readonly inn?: string;
}

/** The seller's details the register prints and sends with every document. */
export interface Seller {
  readonly name?: string; // 1048
  readonly address: string; // 1009 settlement address
  readonly place?: string; // 1187 place of settlement
  readonly email?: string; // 1117 sender e-mail
  readonly fnsSite?: string; // 1060
}

/**
 * One cashless payment's details, STLV 1235 inside 1234 (fiscal-spec §7.3; SOURCES.md):
 * 1082 sum, 1236 method code (the FNS has not published its values: taken as the job gives
 * it, never invented), 1237 payment identifiers, 1238 extra information.
 */
export interface CashlessPayment {
  readonly sumKopecks: number;
  /** 1236; absent when unknown: the FNS has published no values yet (SOURCES.md). */
  readonly method?: number;
  readonly ids: string;
  readonly info?: string;
}

export interface Receipt {
  readonly operation: Operation;
  readonly taxSystem: TaxSystem;
  readonly items: readonly ReceiptItem[];
  readonly payments: Readonly<Partial<Record<PaymentTypeId, number>>>;
  readonly totalKopecks: number;
  readonly seller: Seller;
  readonly cashier?: Cashier;
  readonly buyer?: Buyer;
  /** A settlement on the internet (1125 = 1): 1187 is then the web site, and a buyer contact is required. */
  readonly internet?: boolean;
  /** The receipt's agent sign 1057 (and, in FFD 1.05, its agent data on the receipt itself). */
  readonly agent?: ReceiptAgent;
  /** FFD 1.05: supplier phones 1171 on the receipt itself. */
  readonly supplierPhones?: readonly string[];
  /** 1234: the details of the cashless payments, when the job knows them. */
  readonly cashless?: readonly CashlessPayment[];
  /**
   * The VAT totals (1102–1107, by tag) as a fiscalized document stores them: set on a receipt
   * read back from the FN archive (receipt-from-tlv.ts), where the items may be absent (an
   * FFD 1.05 correction). Otherwise they are computed from the items, as the builder does.
   */
  readonly storedVatTotals?: Readonly<Record<number, number>>;
  /** Likewise the 1115 group: 1120 sums by 1199 code (rates 7–12, fiscal-spec §7.1). */
  readonly storedVatTotals1115?: Readonly<Record<number, number>>;
}

export interface Correction {
  /** 1173: 'self' = own initiative (0), 'instruction' = by tax authority order (1). */
  readonly type: 'self' | 'instruction';
  /** 1178: date of the corrected calculation, register-local unix seconds. */
  readonly baseDate: number;
  /** 1179: number of the order (may be empty for own initiative). */
  readonly baseNumber: string;
  /** 1177 (FFD 1.05 only): description of the correction basis. */
  readonly baseName?: string;
}

export interface CorrectionReceipt extends Receipt {
  readonly correction: Correction;
}
