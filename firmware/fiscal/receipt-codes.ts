/**
 * Enumerations of the receipt: calculation sign (1054), tax system (1055/1062), payment
 * method (1214), payment object (1212), unit of measure (2108 / 1197) and payment types
 * with their total tags. fiscal-spec §2.3 "Enum values"; 1212/1214 are [M] and kept in
 * these tables so a correction is one edit (fiscal-spec §6.5).
 */
import type { FfdVersion } from './ffd-version.ts';

export type Operation = 'sell' | 'sell_refund' | 'buy' | 'buy_refund';
/** Tag 1054, and the operation-type byte of 16h (fn-protocol §4.6). */
export const CALCULATION_SIGN: Readonly<Record<Operation, number>> = { sell: 1, sell_refund: 2, buy: 3, buy_refund: 4 };
export const CALCULATION_SIGN_WORDS: Readonly<Record<number, string>> = { 1: 'ПРИХОД', 2: 'ВОЗВРАТ ПРИХОДА', 3: 'РАСХОД', 4: 'ВОЗВРАТ РАСХОДА' };

/** Tax systems: ATOL `sno` name → bit of 1055/1062 (fn-protocol Table 36). */
export const TAX_SYSTEMS = {
  osn: 1,
  usn_income: 2,
  usn_income_outcome: 4,
  envd: 8,
  esn: 16,
  patent: 32,
} as const;
export type TaxSystem = keyof typeof TAX_SYSTEMS;
export const TAX_SYSTEM_LABELS: Readonly<Record<TaxSystem, string>> = {
  osn: 'ОСН',
  usn_income: 'УСН доход',
  usn_income_outcome: 'УСН доход - расход',
  envd: 'ЕНВД',
  esn: 'ЕСХН',
  patent: 'ПСН',
};

interface Coded {
  readonly id: string;
  readonly code: number;
  readonly label: string;
  readonly ffd: readonly FfdVersion[];
  /** 1214 only: money taken before the goods are handed over, whose VAT is at the calculated rate (НК РФ art. 164 p. 4). */
  readonly inAdvance?: true;
}
const BOTH: readonly FfdVersion[] = ['1.05', '1.2'];
const ONLY_12: readonly FfdVersion[] = ['1.2'];
const ONLY_105: readonly FfdVersion[] = ['1.05'];

/** Tag 1214, ATOL `payment_method` names. */
export const PAYMENT_METHODS: readonly Coded[] = [
  { id: 'full_prepayment', code: 1, label: 'ПРЕДОПЛАТА 100%', ffd: BOTH, inAdvance: true },
  { id: 'prepayment', code: 2, label: 'ПРЕДОПЛАТА', ffd: BOTH, inAdvance: true },
  { id: 'advance', code: 3, label: 'АВАНС', ffd: BOTH, inAdvance: true },
  { id: 'full_payment', code: 4, label: 'ПОЛНЫЙ РАСЧЕТ', ffd: BOTH },
  { id: 'partial_payment', code: 5, label: 'ЧАСТИЧНЫЙ РАСЧЕТ И КРЕДИТ', ffd: BOTH },
  { id: 'credit', code: 6, label: 'ПЕРЕДАЧА В КРЕДИТ', ffd: BOTH },
  { id: 'credit_payment', code: 7, label: 'ОПЛАТА КРЕДИТА', ffd: BOTH },
];

/** Tag 1212, ATOL `payment_object` names (v5 adds the FFD 1.2 codes). */
export const PAYMENT_OBJECTS: readonly Coded[] = [
  { id: 'commodity', code: 1, label: 'ТОВАР', ffd: BOTH },
  { id: 'excise', code: 2, label: 'ПОДАКЦИЗНЫЙ ТОВАР', ffd: BOTH },
  { id: 'job', code: 3, label: 'РАБОТА', ffd: BOTH },
  { id: 'service', code: 4, label: 'УСЛУГА', ffd: BOTH },
  { id: 'gambling_bet', code: 5, label: 'СТАВКА АЗАРТНОЙ ИГРЫ', ffd: BOTH },
  { id: 'gambling_prize', code: 6, label: 'ВЫИГРЫШ АИ', ffd: BOTH },
  { id: 'lottery', code: 7, label: 'ЛОТЕРЕЙНЫЙ БИЛЕТ', ffd: BOTH },
  { id: 'lottery_prize', code: 8, label: 'ВЫИГРЫШ ЛОТЕРЕИ', ffd: BOTH },
  { id: 'intellectual_activity', code: 9, label: 'ПРЕДОСТАВЛЕНИЕ РИД', ffd: BOTH },
  { id: 'payment', code: 10, label: 'ПЛАТЕЖ', ffd: BOTH },
  { id: 'agent_commission', code: 11, label: 'АГЕНТСКОЕ ВОЗНАГРАЖДЕНИЕ', ffd: BOTH },
  // Code 12 changed its meaning: «составной предмет расчета» in FFD 1.05 (ATOL v4 `composite`),
  // «выплата» in FFD 1.2 (fiscal-spec §2.3; SOURCES.md "Payment objects").
  { id: 'award', code: 12, label: 'ВЫПЛАТА', ffd: ONLY_12 },
  { id: 'composite', code: 12, label: 'СОСТАВНОЙ ПРЕДМЕТ РАСЧЕТА', ffd: ONLY_105 },
  { id: 'another', code: 13, label: 'ИНОЙ ПРЕДМЕТ РАСЧЕТА', ffd: BOTH },
  { id: 'property_right', code: 14, label: 'ИМУЩЕСТВЕННОЕ ПРАВО', ffd: BOTH },
  { id: 'non-operating_gain', code: 15, label: 'ВНЕРЕАЛИЗАЦИОННЫЙ ДОХОД', ffd: BOTH },
  { id: 'insurance_premium', code: 16, label: 'СТРАХОВЫЕ ВЗНОСЫ', ffd: BOTH },
  { id: 'sales_tax', code: 17, label: 'ТОРГОВЫЙ СБОР', ffd: BOTH },
  { id: 'resort_fee', code: 18, label: 'КУРОРТНЫЙ СБОР', ffd: BOTH },
  { id: 'deposit', code: 19, label: 'ЗАЛОГ', ffd: ONLY_12 },
  { id: 'expense', code: 20, label: 'РАСХОД', ffd: ONLY_12 },
  // 21–27 (fiscal-spec §2.3): ATOL Online v5 sends the number; the names are the ones public
  // acquiring APIs use for them (SOURCES.md "Payment objects"), as ATOL v4 has none.
  { id: 'ie_pension_insurance_without_payments', code: 21, label: 'ВЗНОСЫ НА ОПС ИП', ffd: ONLY_12 },
  { id: 'ie_pension_insurance_with_payments', code: 22, label: 'ВЗНОСЫ НА ОПС', ffd: ONLY_12 },
  { id: 'ie_medical_insurance_without_payments', code: 23, label: 'ВЗНОСЫ НА ОМС ИП', ffd: ONLY_12 },
  { id: 'ie_medical_insurance_with_payments', code: 24, label: 'ВЗНОСЫ НА ОМС', ffd: ONLY_12 },
  { id: 'social_insurance', code: 25, label: 'ВЗНОСЫ НА ОСС', ffd: ONLY_12 },
  { id: 'casino_chips', code: 26, label: 'ПЛАТЕЖ КАЗИНО', ffd: ONLY_12 },
  { id: 'agent_payment', code: 27, label: 'ВЫДАЧА ДС', ffd: ONLY_12 },
  { id: 'excise_without_marking', code: 30, label: 'ПОДАКЦИЗНЫЙ ТОВАР БЕЗ КМ', ffd: ONLY_12 },
  { id: 'commodity_without_marking', code: 32, label: 'ТОВАР БЕЗ КМ', ffd: ONLY_12 },
];

/** Units: ATOL v5 `measure` is the 2108 code; FFD 1.05 prints the unit as text in 1197. */
export const MEASURES: readonly Coded[] = [
  { id: 'piece', code: 0, label: 'шт', ffd: BOTH },
  { id: 'gram', code: 10, label: 'г', ffd: BOTH },
  { id: 'kilogram', code: 11, label: 'кг', ffd: BOTH },
  { id: 'ton', code: 12, label: 'т', ffd: BOTH },
  { id: 'centimeter', code: 20, label: 'см', ffd: BOTH },
  { id: 'decimeter', code: 21, label: 'дм', ffd: BOTH },
  { id: 'meter', code: 22, label: 'м', ffd: BOTH },
  { id: 'square_centimeter', code: 30, label: 'кв. см', ffd: BOTH },
  { id: 'square_decimeter', code: 31, label: 'кв. дм', ffd: BOTH },
  { id: 'square_meter', code: 32, label: 'кв. м', ffd: BOTH },
  { id: 'milliliter', code: 40, label: 'мл', ffd: BOTH },
  { id: 'liter', code: 41, label: 'л', ffd: BOTH },
  { id: 'cubic_meter', code: 42, label: 'куб. м', ffd: BOTH },
  { id: 'kilowatt_hour', code: 50, label: 'кВт∙ч', ffd: BOTH },
  { id: 'gigacalorie', code: 51, label: 'Гкал', ffd: BOTH },
  { id: 'day', code: 70, label: 'сутки', ffd: BOTH },
  { id: 'hour', code: 71, label: 'час', ffd: BOTH },
  { id: 'minute', code: 72, label: 'мин', ffd: BOTH },
  { id: 'second', code: 73, label: 'с', ffd: BOTH },
  { id: 'kilobyte', code: 80, label: 'Кбайт', ffd: BOTH },
  { id: 'megabyte', code: 81, label: 'Мбайт', ffd: BOTH },
  { id: 'gigabyte', code: 82, label: 'Гбайт', ffd: BOTH },
  { id: 'terabyte', code: 83, label: 'Тбайт', ffd: BOTH },
  { id: 'other', code: 255, label: 'иная ед.', ffd: BOTH },
];

/** ATOL payment `type` → the receipt total tag it adds to. */
export const PAYMENT_TYPES = [
  { type: 0, id: 'cash', tag: 1031, label: 'НАЛИЧНЫМИ' },
  { type: 1, id: 'electronic', tag: 1081, label: 'БЕЗНАЛИЧНЫМИ' },
  { type: 2, id: 'prepaid', tag: 1215, label: 'ПРЕДВАРИТЕЛЬНАЯ ОПЛАТА (АВАНС)' },
  { type: 3, id: 'credit', tag: 1216, label: 'ПОСЛЕДУЮЩАЯ ОПЛАТА (КРЕДИТ)' },
  { type: 4, id: 'provision', tag: 1217, label: 'ИНАЯ ФОРМА ОПЛАТЫ' },
] as const;
export type PaymentTypeId = (typeof PAYMENT_TYPES)[number]['id'];

export function codeFor(table: readonly Coded[], id: string, ffd: FfdVersion): Coded | undefined {
  return table.find((e) => e.id === id && e.ffd.includes(ffd));
}

/**
 * The FFD version an item (1059) was written in, from its unit's tag: 2108 (a code) in FFD 1.2,
 * 1197 (text) in 1.05; undefined when it shows neither. Codes read back by it mean what they
 * meant there (1212 = 12).
 */
export function itemFfd(nodes: readonly { readonly tag: number }[]): FfdVersion | undefined {
  if (nodes.some((n) => n.tag === 2108)) return '1.2';
  if (nodes.some((n) => n.tag === 1197)) return '1.05';
  return undefined;
}

/** By code; with `ffd`, the entry of that version first (a code may mean one thing per version: 1212 = 12). */
export function entryByCode(table: readonly Coded[], code: number, ffd?: FfdVersion): Coded | undefined {
  return (ffd !== undefined ? table.find((e) => e.code === code && e.ffd.includes(ffd)) : undefined) ?? table.find((e) => e.code === code);
}
