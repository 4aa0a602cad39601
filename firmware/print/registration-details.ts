/**
 * What a registration report (FD 1), a re-registration report (FD 11) and the report on
 * closing the FN (FD 6) print under their heading (issue 12 §3: "printed as a real register
 * prints it"): the parameters the document was formed with, read from its own tags — so a
 * copy from the archive prints the same, even after a later re-registration. The heading,
 * user name, address, place and INN above, and date, shift, RNM, FN, FD, FPD and FNS site
 * below, are receipt-layout.ts's, as for every document.
 *
 * Which tags each report carries and prints: FFD tables 15/16/31 (FFD 1.05) and 49/50 (FFD
 * 1.1, the 1.2 set adds 1290) as public copies give them; print names after the FFD print
 * forms as a Shtrih-M driver's tag table spells them; the 1290 and 1205 values from the FFD
 * tables of those tags (firmware/fiscal/SOURCES.md "Registration reports on paper").
 * Tables, not branches: a row per tag or bit, in the order the FFD table lists them.
 */
import { atolDateTime } from '../core/local-time.ts';
import { ffdVersionFromCode } from '../fiscal/ffd-version.ts';
import { kktChangeReasons, REREGISTRATION_CODES_105 } from '../fiscal/kkt-change-reasons.ts';
import { TAX_SYSTEM_LABELS, TAX_SYSTEMS } from '../fiscal/receipt-codes.ts';
import { FD_TYPE } from '../fiscal/tag-table.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';

type Value = TlvNode['value'];
type Row = readonly [tag: number, label: string, show: (v: Value) => readonly string[]];

const text = (v: Value): readonly string[] => (typeof v === 'string' ? [v.trim()] : typeof v === 'number' ? [String(v)] : []);
const yesNo = (v: Value): readonly string[] => [v ? 'ДА' : 'НЕТ'];
/** A mode flag of FFD 1.05 prints only when set, as a 1290 bit does (below). */
const yesOnly = (v: Value): readonly string[] => (v ? ['ДА'] : []);
const ffd = (v: Value): readonly string[] => (typeof v === 'number' ? [ffdVersionFromCode(v) ?? String(v)] : []);
const localDate = (v: Value): readonly string[] => (typeof v === 'number' ? [atolDateTime(v).slice(0, 16)] : []);

/** Tag 1062: tax-system bits → their printed names, in the order of the bits. */
const taxSystems = (v: Value): readonly string[] => {
  if (typeof v !== 'number') return [];
  const names = (Object.keys(TAX_SYSTEMS) as (keyof typeof TAX_SYSTEMS)[]).filter((t) => (v & TAX_SYSTEMS[t]) !== 0).map((t) => TAX_SYSTEM_LABELS[t]);
  return [names.join(', ')];
};

/**
 * Tag 1290 "признаки условий применения ККТ" (FFD 1.2), bit → printed name. The bits the
 * emulator forms from the work mode and extended flags (fn-protocol Tables 38, 51), in the
 * meanings of the FFD 1.2 table of 1290.
 */
const USAGE_1290: readonly (readonly [bit: number, label: string])[] = [
  [1, 'ПРИНТЕР В АВТОМАТЕ'],
  [2, 'АС БСО'],
  [5, 'РАСЧЕТЫ В ИНТЕРНЕТ'],
  [6, 'ПОДАКЦИЗНЫЕ ТОВАРЫ'],
  [8, 'МАРКИРОВАННЫЕ ТОВАРЫ'],
  [9, 'ТОЛЬКО УСЛУГИ'],
  [10, 'АЗАРТНЫЕ ИГРЫ'],
  [11, 'ЛОТЕРЕИ'],
  [12, 'ЛОМБАРД'],
  [13, 'СТРАХОВАНИЕ'],
  [14, 'АВТОМАТ С ВЫДАЧЕЙ ТОВАРА'],
  [15, 'ОБЩЕПИТ'],
  [16, 'ОПТОВАЯ ТОРГОВЛЯ'],
];

/** Rows of FD 1 and FD 11, in the order of FFD tables 15 and 49. */
const REGISTRATION_ROWS: readonly Row[] = [
  [1021, 'КАССИР', text],
  [1013, 'ЗН ККТ', text],
  [1062, 'СНО', taxSystems],
  [1002, 'АВТОНОМН. РЕЖИМ', yesNo],
  [1056, 'ШИФРОВАНИЕ', yesNo],
  [1001, 'АВТОМАТ. РЕЖИМ', yesNo],
  [1036, 'НОМЕР АВТОМАТА', text],
  // FFD 1.05: each mode its own tag (table 15).
  [1108, 'РАСЧЕТЫ В ИНТЕРНЕТ', yesOnly],
  [1109, 'ТОЛЬКО УСЛУГИ', yesOnly],
  [1110, 'АС БСО', yesOnly],
  [1207, 'ПОДАКЦИЗНЫЕ ТОВАРЫ', yesOnly],
  [1193, 'АЗАРТНЫЕ ИГРЫ', yesOnly],
  [1126, 'ЛОТЕРЕИ', yesOnly],
  [1221, 'ПРИНТЕР В АВТОМАТЕ', yesOnly],
  [1117, 'ЭЛ. АДР. ОТПРАВИТЕЛЯ', text],
  [1046, 'ОФД', text],
  [1017, 'ИНН ОФД', text],
  [1188, 'ВЕРСИЯ ККТ', text],
  [1189, 'ВЕРСИЯ ФФД ККТ', ffd],
  [1190, 'ВЕРСИЯ ФФД ФН', ffd],
  [1209, 'ВЕРСИЯ ФФД', ffd],
  [1213, 'РЕСУРС КЛЮЧЕЙ ФП', text],
];

/** Rows of FD 6, FFD table 31, and the backlog counters an FN may put in it (1097, 1098, 1116). */
const CLOSE_FN_ROWS: readonly Row[] = [
  [1021, 'КАССИР', text],
  [1097, 'НЕПЕРЕДАННЫХ ФД', text],
  [1116, 'ПЕРВЫЙ НЕПЕРЕДАННЫЙ ФД', text],
  [1098, 'ПЕРВЫЙ НЕПЕРЕДАННЫЙ ФД ОТ', localDate],
];

/** Label–value lines of a registration, re-registration or close-FN report; none for other documents. */
export function registrationDetails(fdType: number, nodes: readonly TlvNode[]): [string, string][] {
  const top = new Map<number, Value>();
  for (const n of nodes) if (!top.has(n.tag)) top.set(n.tag, n.value);
  const rows = fdType === FD_TYPE.closeFn ? CLOSE_FN_ROWS : fdType === FD_TYPE.registration || fdType === FD_TYPE.reregistration ? REGISTRATION_ROWS : [];
  const out: [string, string][] = [];
  for (const [tag, label, show] of rows) {
    const v = top.get(tag);
    if (v !== undefined) for (const value of show(v)) out.push([label, value]);
  }
  const usage = top.get(1290);
  if (fdType !== FD_TYPE.closeFn && typeof usage === 'number') for (const [bit, label] of USAGE_1290) if ((usage >>> bit) & 1) out.push([label, 'ДА']);
  // Why the registration changed: one line per reason (1205, FFD 1.2) or the one code (1101, FFD 1.05).
  const reasons = top.get(1205);
  if (typeof reasons === 'number') for (const reason of kktChangeReasons(reasons)) out.push(['ПРИЧИНА', reason]);
  const code = top.get(1101);
  if (typeof code === 'number') out.push(['ПРИЧИНА', REREGISTRATION_CODES_105[code] ?? `КОД ${code}`]);
  return out;
}
