/**
 * The job as it travels (contract version 1): TypeScript mirrors of
 * schema/receipt-job.schema.json. A value has this type only after the schema has accepted
 * it (job-schema.ts); the names are the wire's own (ATOL Online v5 snake_case, Sberbank
 * camelCase), so a problem's path is the path the cloud sent.
 */
import type { JobType } from './job.ts';

export interface WireJob {
  readonly version: 1;
  readonly id: string;
  readonly type: JobType;
  readonly timestamp?: string;
  readonly receipt?: AtolReceipt;
  readonly correction?: AtolCorrection;
  readonly order_bundle?: OrderBundle;
  /** Only with order_bundle: the seller, ATOL style. */
  readonly company?: BundleCompany;
  /** Only with order_bundle: the buyer contact, preferred over customerDetails. */
  readonly client?: { readonly email?: string; readonly phone?: string };
  readonly cashier?: string;
  readonly cashier_inn?: string;
  readonly internet?: boolean;
  /** Only with order_bundle: the card payment's details (1234), ATOL v5 shape. */
  readonly cashless_payments?: readonly AtolCashlessPayment[];
  /** print_copy: the FD number to print again. */
  readonly fd?: number;
}

// ---------------------------------------------------------------- ATOL Online v5

export interface AtolClient {
  readonly email?: string;
  readonly phone?: string;
  readonly name?: string;
  readonly inn?: string;
}

export interface AtolCompany {
  readonly email?: string;
  readonly sno: string;
  readonly inn: string;
  readonly payment_address: string;
}

export interface AtolItem {
  readonly name: string;
  /** Rubles, ≤ 2 decimals. */
  readonly price: number;
  /** ≤ 3 decimals. */
  readonly quantity: number;
  /** Rubles, ≤ 2 decimals. */
  readonly sum: number;
  /** 2108 code or an id of MEASURES. */
  readonly measure: number | string;
  /** An id of PAYMENT_METHODS. */
  readonly payment_method: string;
  /** 1212 code or an id of PAYMENT_OBJECTS. */
  readonly payment_object: number | string;
  readonly vat: { readonly type: string; readonly sum?: number };
  readonly agent_info?: AtolAgentInfo;
  readonly supplier_info?: AtolSupplierInfo;
}

/** ATOL Online v4/v5 `agent_info` → 1057 / 1222 and 1223 (agent-tags.ts). */
export interface AtolAgentInfo {
  /** An id of AGENT_TYPES. */
  readonly type: string;
  readonly paying_agent?: { readonly operation?: string; readonly phones?: readonly string[] };
  readonly receive_payments_operator?: { readonly phones?: readonly string[] };
  readonly money_transfer_operator?: { readonly phones?: readonly string[]; readonly name?: string; readonly address?: string; readonly inn?: string };
}

/** ATOL Online v4/v5 item `supplier_info` → 1224 {1171, 1225}, 1226; on the receipt only `phones`. */
export interface AtolSupplierInfo {
  readonly phones?: readonly string[];
  readonly name?: string;
  readonly inn?: string;
}

export interface AtolPayment {
  /** PAYMENT_TYPES `type`: 0 cash, 1 electronic, 2 prepaid, 3 credit, 4 other. */
  readonly type: number;
  readonly sum: number;
}

/** ATOL Online v5 `cashless_payments[]` → 1235 (fiscal-spec §7.3). */
export interface AtolCashlessPayment {
  /** Rubles (1082); with order_bundle it may be left out: the card paid the whole cart. */
  readonly sum?: number;
  /** 1236 code, as the FNS sets it; left out when the job does not know it (no values published yet). */
  readonly method?: number;
  /** 1237 payment identifiers. */
  readonly id: string;
  /** 1238 */
  readonly additional_info?: string;
}

export interface AtolReceipt {
  readonly client?: AtolClient;
  readonly cashless_payments?: readonly AtolCashlessPayment[];
  readonly company: AtolCompany;
  readonly items: readonly AtolItem[];
  readonly payments: readonly AtolPayment[];
  readonly vats?: readonly { readonly type: string; readonly sum: number }[];
  readonly total: number;
  readonly cashier?: string;
  readonly cashier_inn?: string;
  readonly internet?: boolean;
  readonly agent_info?: AtolAgentInfo;
  readonly supplier_info?: { readonly phones?: readonly string[] };
}

export interface AtolCorrectionInfo {
  readonly type: 'self' | 'instruction';
  /** dd.mm.yyyy */
  readonly base_date: string;
  readonly base_number?: string;
  /** ATOL v4 name of 1177 (FFD 1.05 only). */
  readonly base_name?: string;
}

export interface AtolCorrection extends AtolReceipt {
  readonly correction_info: AtolCorrectionInfo;
}

// ---------------------------------------------------------------- Sberbank acquiring orderBundle

export interface BundleCompany {
  readonly email?: string;
  readonly sno?: string;
  readonly inn: string;
  readonly payment_address: string;
}

export interface CartItem {
  readonly positionId: number | string;
  readonly name: string;
  readonly quantity: { readonly value: number; readonly measure?: number | string };
  /** Integer kopecks. */
  readonly itemAmount: number;
  /** Integer kopecks. */
  readonly itemPrice: number;
  readonly itemCode?: string;
  readonly itemCurrency?: number | string;
  readonly tax: { readonly taxType: number; readonly taxSum?: number };
  readonly itemAttributes?: { readonly attributes: readonly { readonly name: string; readonly value: string | number }[] };
  /** itemAmount = itemPrice × quantity − discount (summa: kopecks; percent: %). */
  readonly discount?: SberDiscount;
  /** Informational for the bank (agent's fee). */
  readonly agentInterest?: { readonly interestType: string; readonly interestValue: number };
  readonly itemDetails?: object;
  /** The Sberbank fiscal API's names of ATOL's agent_info / supplier_info (job-agents.ts). */
  readonly agentInfo?: SberAgentInfo;
  readonly supplierInfo?: AtolSupplierInfo;
}

export interface SberAgentInfo {
  readonly type: string;
  readonly payingAgent?: AtolAgentInfo['paying_agent'];
  readonly receivePaymentsOperator?: AtolAgentInfo['receive_payments_operator'];
  readonly moneyTransferOperator?: AtolAgentInfo['money_transfer_operator'];
}

export interface SberDiscount {
  readonly discountType: 'summa' | 'percent';
  readonly discountValue: number;
}

export interface OrderBundle {
  readonly orderCreationDate?: number | string;
  /** Sberbank tax-system code (order-bundle.ts SBER_TAX_SYSTEMS). */
  readonly taxSystem?: number;
  readonly customerDetails?: {
    readonly email?: string;
    readonly phone?: string;
    /** Sberbank's preferred contact: an e-mail or phone used when email/phone are absent. */
    readonly contact?: string;
    readonly fullName?: string;
    readonly inn?: string;
    readonly passport?: string;
    readonly deliveryInfo?: object;
  };
  readonly cartItems: { readonly items: readonly CartItem[] };
  /** Sberbank's fiscal payments (1 cashless, 2 prepaid, 3 credit, 4 counter-provision), kopecks. */
  readonly payments?: readonly { readonly type: number; readonly sum: number }[];
}
