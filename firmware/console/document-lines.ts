/**
 * A document from the FN archive, tag by tag, for the console's `fd` command:
 * every tag the FN stored, by its name and number, nested items indented; money in
 * rubles, times as the receipt prints them (dd.mm.yyyy HH:MM, register-local), and codes
 * with their names from the one table of each (issue 11 §4: one vocabulary across the
 * status topic, console and receipts). What a technician compares with the OFD's copy.
 */
import { atolDateTime } from '../core/local-time.ts';
import { hex } from '../core/log.ts';
import { ffdVersionFromCode, type FfdVersion } from '../fiscal/ffd-version.ts';
import { rublesText } from '../fiscal/money.ts';
import { CALCULATION_SIGN_WORDS, entryByCode, itemFfd, MEASURES, PAYMENT_METHODS, PAYMENT_OBJECTS, TAX_SYSTEM_LABELS, TAX_SYSTEMS } from '../fiscal/receipt-codes.ts';
import { tagDef } from '../fiscal/tag-table.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';
import { vatRateByCode } from '../fiscal/vat-rates.ts';

/** Tags whose value is a code: tag → the code's name, as printed (`ffd`: the document's version, when known). */
const CODE_NAMES: Readonly<Record<number, (code: number, ffd?: FfdVersion) => string | undefined>> = {
  1054: (c) => CALCULATION_SIGN_WORDS[c],
  1055: (c) => taxSystemNames(c),
  1062: (c) => taxSystemNames(c),
  1199: (c) => vatRateByCode(c)?.label,
  1209: (c) => (ffdVersionFromCode(c) !== undefined ? `ФФД ${ffdVersionFromCode(c)}` : undefined),
  1212: (c, ffd) => entryByCode(PAYMENT_OBJECTS, c, ffd)?.label,
  1214: (c) => entryByCode(PAYMENT_METHODS, c)?.label,
  2108: (c) => entryByCode(MEASURES, c)?.label,
};

function taxSystemNames(bits: number): string | undefined {
  const names = Object.entries(TAX_SYSTEMS).filter(([, bit]) => (bits & bit) !== 0).map(([id]) => TAX_SYSTEM_LABELS[id as keyof typeof TAX_SYSTEMS]);
  return names.length > 0 ? names.join(', ') : undefined;
}

/** `inUse`: the FFD the FN works in, for a level that does not show its own. */
export function documentLines(nodes: readonly TlvNode[], indent = '', inUse?: FfdVersion): string[] {
  const lines: string[] = [];
  const ffd = itemFfd(nodes) ?? inUse;
  for (const n of nodes) {
    const def = tagDef(n.tag);
    const name = `${def?.name ?? 'tag'} (${n.tag})`;
    const named = typeof n.value === 'number' ? CODE_NAMES[n.tag]?.(n.value, ffd) : undefined;
    if (Array.isArray(n.value)) {
      lines.push(`${indent}${name}:`, ...documentLines(n.value as readonly TlvNode[], `${indent}  `, inUse));
    } else if (n.value instanceof Uint8Array) {
      lines.push(`${indent}${name}: ${hex(n.value)}`);
    } else if (named !== undefined) {
      lines.push(`${indent}${name}: ${String(n.value)} ${named}`);
    } else if (def?.type === 'vln' && typeof n.value === 'number') {
      lines.push(`${indent}${name}: ${rublesText(n.value)}`);
    } else if (def?.type === 'unixtime' && typeof n.value === 'number') {
      // FFD times are register-local (fiscal-spec §2.1): printed as the receipt prints 1012.
      lines.push(`${indent}${name}: ${atolDateTime(n.value).slice(0, 16)}`);
    } else {
      lines.push(`${indent}${name}: ${String(n.value)}`);
    }
  }
  return lines;
}
