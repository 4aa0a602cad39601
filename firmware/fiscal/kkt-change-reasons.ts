/**
 * Why a registration changed, as the documents carry it and the paper prints it.
 *
 * FFD 1.2 (and 1.1): tag 1205 "коды причин изменения сведений о ККТ", a U32 bit mask of the
 * re-registration report (FD 11). The table of its values is part of the FFD (appendix 2 of
 * FNS order ЕД-7-20/662@ of 14.09.2020; the FFD 1.1 version gave the same list): the table
 * numbers the reasons 1…22 and 32, the mask sets bit (number − 1). The order itself was not
 * reachable here; every value below was checked against five independent public code bases
 * that copy that table (firmware/fiscal/SOURCES.md "Tag 1205"), which agree on every bit —
 * bits 2, 3, 7 and 31, which the register sends, included.
 *
 * FFD 1.05: tag 1101 "код причины перерегистрации", one code (fn-protocol Table 39).
 */

/** Tag 1205 bits by name: the ones the register's commands use (firmware/provisioning). */
export const KKT_CHANGE_BIT = {
  fnReplacement: 0,
  ofd: 1,
  userName: 2,
  address: 3,
  taxSystems: 7,
  ffdVersion: 21,
  other: 31,
} as const;

/**
 * Tag 1205, bit → the reason as printed (short forms of the FFD table's wording, in the
 * style of the FFD print names; the full wording is in SOURCES.md).
 */
export const KKT_CHANGE_REASONS: Readonly<Record<number, string>> = {
  0: 'ЗАМЕНА ФН',
  1: 'ЗАМЕНА ОФД',
  2: 'ИЗМЕНЕНИЕ НАИМЕНОВАНИЯ ПОЛЬЗОВАТЕЛЯ ККТ',
  3: 'ИЗМЕНЕНИЕ АДРЕСА И (ИЛИ) МЕСТА УСТАНОВКИ ККТ',
  4: 'ПЕРЕВОД ИЗ АВТОНОМНОГО РЕЖИМА В РЕЖИМ ПЕРЕДАЧИ ДАННЫХ',
  5: 'ПЕРЕВОД ИЗ РЕЖИМА ПЕРЕДАЧИ ДАННЫХ В АВТОНОМНЫЙ РЕЖИМ',
  6: 'ИЗМЕНЕНИЕ ВЕРСИИ МОДЕЛИ ККТ',
  7: 'ИЗМЕНЕНИЕ ПЕРЕЧНЯ СИСТЕМ НАЛОГООБЛОЖЕНИЯ',
  8: 'ИЗМЕНЕНИЕ НОМЕРА АВТОМАТА',
  9: 'ПЕРЕВОД ИЗ АВТОМАТИЧЕСКОГО РЕЖИМА В НЕАВТОМАТИЧЕСКИЙ',
  10: 'ПЕРЕВОД ИЗ НЕАВТОМАТИЧЕСКОГО РЕЖИМА В АВТОМАТИЧЕСКИЙ',
  11: 'ПЕРЕВОД В РЕЖИМ, ПОЗВОЛЯЮЩИЙ ФОРМИРОВАТЬ БСО',
  12: 'ПЕРЕВОД В РЕЖИМ, НЕ ПОЗВОЛЯЮЩИЙ ФОРМИРОВАТЬ БСО',
  13: 'ПЕРЕВОД ИЗ РЕЖИМА РАСЧЕТОВ В ИНТЕРНЕТ В РЕЖИМ ПЕЧАТИ ЧЕКОВ',
  14: 'ПЕРЕВОД В РЕЖИМ РАСЧЕТОВ В ИНТЕРНЕТ',
  15: 'ПЕРЕВОД В РЕЖИМ БЕЗ УСЛУГ ПЛАТЕЖНОГО АГЕНТА',
  16: 'ПЕРЕВОД В РЕЖИМ УСЛУГ ПЛАТЕЖНОГО АГЕНТА',
  17: 'ПЕРЕВОД В РЕЖИМ БЕЗ АЗАРТНЫХ ИГР',
  18: 'ПЕРЕВОД В РЕЖИМ АЗАРТНЫХ ИГР',
  19: 'ПЕРЕВОД В РЕЖИМ БЕЗ ЛОТЕРЕЙ',
  20: 'ПЕРЕВОД В РЕЖИМ ЛОТЕРЕЙ',
  21: 'ИЗМЕНЕНИЕ ВЕРСИИ ФФД',
  31: 'ИНЫЕ ПРИЧИНЫ',
};

/** Tag 1101 (FFD 1.05), code → the reason as printed (fn-protocol Table 39). */
export const REREGISTRATION_CODES_105: Readonly<Record<number, string>> = {
  1: 'ЗАМЕНА ФН',
  2: 'ЗАМЕНА ОФД',
  3: 'ИЗМЕНЕНИЕ РЕКВИЗИТОВ',
  4: 'ИЗМЕНЕНИЕ НАСТРОЕК ККТ',
};

/** The reasons a 1205 mask names, lowest bit first; a bit the table lacks is named by number. */
export function kktChangeReasons(mask: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 32; bit++) if ((mask >>> bit) & 1) out.push(KKT_CHANGE_REASONS[bit] ?? `ПРИЧИНА ${bit + 1}`);
  return out;
}
