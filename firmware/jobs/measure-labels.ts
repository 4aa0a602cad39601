/**
 * Unit labels as clouds write them (Sberbank's `quantity.measure`, ATOL v4's
 * `measurement_unit`) → an id of MEASURES (receipt-codes.ts, tag 2108). The printed labels of
 * MEASURES themselves ("шт", "кг", "кв. м"…) match case-insensitively in lookupCode; these
 * are the other spellings seen in the public examples (issue 11).
 */
export const MEASURE_ALIASES: Readonly<Record<string, string>> = {
  'шт.': 'piece',
  штук: 'piece',
  штука: 'piece',
  // A service is counted in pieces: FFD 1.2 has no unit of its own for it (2108 code 0 is
  // "штука или единица"); Sberbank's and ATOL v4's examples write "усл".
  усл: 'piece',
  'усл.': 'piece',
  услуга: 'piece',
  ед: 'piece',
  'ед.': 'piece',
  // Public integration code writes the piece in English too (a Sberbank credit example: "pc").
  pc: 'piece',
  pcs: 'piece',
  'г.': 'gram',
  'кг.': 'kilogram',
  'л.': 'liter',
  'м.': 'meter',
};

/** The MEASURES id an alias names, or undefined (then the label itself is looked up). */
export function measureAlias(label: string): string | undefined {
  return MEASURE_ALIASES[label.trim().toLowerCase()];
}
