/** Receipts and registration data the tests share. Money in kopecks. */
import type { CorrectionReceipt, Receipt, ReceiptItem } from '../../firmware/fiscal/receipt.ts';
import { makeRnm } from '../../firmware/fiscal/registration-numbers.ts';
import type { RegistrationRequest } from '../../drivers/fn/fn-documents.ts';
import type { FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import type { FiscalAttributes } from '../../firmware/jobs/job-result.ts';
import { FN_NUMBER, T0 } from './fn-rig.ts';

export const USER_INN = '7707083893';
export const OFD_INN = '7704211201';
export const KKT_SERIAL = '00000000381001234567';
export const RNM = makeRnm('0000000001', USER_INN, KKT_SERIAL);
const SELLER = { name: 'ООО "Ромашка"', address: 'г. Москва, ул. Льва Толстого, д. 16', place: 'shop.example.ru', email: 'receipts@shop.example.ru', fnsSite: 'www.nalog.gov.ru' };
const CASHIER = { name: 'Иванова Мария', inn: '500100732259' };

export function registration(ffd: FfdVersion, at: number): RegistrationRequest {
  return {
    ffd,
    at,
    inn: USER_INN,
    rnm: RNM,
    taxSystems: 1 | 2,
    workMode: ffd === '1.2' ? 0x20 : 0x20, // internet (bit 5)
    extendedFlags: 0,
    ofdInn: OFD_INN,
    tlv: [
      { tag: 1048, value: SELLER.name },
      { tag: 1009, value: SELLER.address },
      { tag: 1187, value: SELLER.place },
      { tag: 1013, value: KKT_SERIAL },
      { tag: 1060, value: SELLER.fnsSite },
      { tag: 1117, value: SELLER.email },
      { tag: 1046, value: 'ООО "Такском"' },
      { tag: 1188, value: '1.0' },
      { tag: 1189, value: ffd === '1.2' ? 4 : 2 },
      { tag: 1021, value: CASHIER.name },
      { tag: 1203, value: CASHIER.inn },
    ],
  };
}

export const cashierTags = [
  { tag: 1021, value: CASHIER.name },
  { tag: 1203, value: CASHIER.inn },
];

function item(name: string, priceKopecks: number, quantity: string, sumKopecks: number, vat: ReceiptItem['vat'] = 'vat20'): ReceiptItem {
  return { name, priceKopecks, quantity, sumKopecks, measure: 'piece', vat, paymentMethod: 'full_payment', paymentObject: 'commodity' };
}

export const sellCashAndCard: Receipt = {
  operation: 'sell',
  taxSystem: 'osn',
  items: [item('Молоко 3,2% 1 л', 8990, '2', 17980), item('Хлеб Бородинский', 5450, '1', 5450, 'vat10')],
  payments: { cash: 10000, electronic: 13430 },
  totalKopecks: 23430,
  seller: SELLER,
  cashier: CASHIER,
  buyer: { contact: 'buyer@example.ru' },
};

export const sellRefund: Receipt = { ...sellCashAndCard, operation: 'sell_refund', items: [item('Молоко 3,2% 1 л', 8990, '1', 8990)], payments: { electronic: 8990 }, totalKopecks: 8990 };

export const buy: Receipt = {
  operation: 'buy',
  taxSystem: 'usn_income',
  items: [{ ...item('Приём лома меди', 45000, '2.500', 112500, 'none'), measure: 'kilogram', paymentObject: 'commodity' }],
  payments: { cash: 112500 },
  totalKopecks: 112500,
  seller: SELLER,
  cashier: CASHIER,
};

/** 30 items with a long Cyrillic name, two VAT rates, cash + card. */
export function thirtyItems(): Receipt {
  const items = Array.from({ length: 30 }, (_, i) =>
    item(`Товар №${i + 1}: набор посуды "Гжель" фарфоровый, ручная роспись кобальтом, подарочная упаковка`.slice(0, 100), 10000 + i * 137, i % 3 === 0 ? '1.500' : '1', i % 3 === 0 ? Math.floor(((10000 + i * 137) * 3 + 1) / 2) : 10000 + i * 137, i % 2 === 0 ? 'vat20' : 'vat10'),
  );
  const total = items.reduce((s, it) => s + it.sumKopecks, 0);
  return { operation: 'sell', taxSystem: 'osn', items, payments: { cash: 100000, electronic: total - 100000 }, totalKopecks: total, seller: SELLER, cashier: CASHIER, buyer: { contact: '+79001234567' } };
}

/**
 * A correction of an unrecorded sale on one's own initiative: no basis number in FFD 1.2 (it is
 * mandatory only with an order there), an internal act's number in FFD 1.05 (always mandatory);
 * the basis name 1177 exists in FFD 1.05 only, so only there.
 */
export function correction(baseDate: number, ffd: FfdVersion = '1.2'): CorrectionReceipt {
  return {
    ...sellCashAndCard,
    items: [item('Неотбитая продажа: кофе', 25000, '1', 25000)],
    payments: { cash: 25000 },
    totalKopecks: 25000,
    correction: { type: 'self', baseDate, ...(ffd === '1.05' ? { baseNumber: 'акт 7', baseName: 'Самостоятельно' } : { baseNumber: '' }) },
  };
}

/** What the FN gave a receipt (FD 42, FPD 1234567890, shift 3, receipt 7, at T0), for printing tests. */
export function receiptFiscal(registration: { readonly rnm: string; readonly ofdInn: string }, over: Partial<FiscalAttributes> = {}): FiscalAttributes {
  return {
    fdType: FD_TYPE.receipt,
    fd: 42,
    fpd: 1234567890,
    dateTime: T0,
    shiftNumber: 3,
    receiptNumber: 7,
    operationType: 1,
    totalKopecks: sellCashAndCard.totalKopecks,
    fnNumber: FN_NUMBER,
    rnm: registration.rnm,
    ofdInn: registration.ofdInn,
    fnsSite: 'www.nalog.gov.ru',
    ...over,
  };
}
