/**
 * A document from the FN archive, tag by tag, for the console's `fd` command:
 * every tag the FN stored, by its name and number, nested items indented; money in
 * rubles, times as dates. What a technician compares with the OFD's copy.
 */
import { hex } from '../core/log.ts';
import { rublesText } from '../fiscal/money.ts';
import { tagDef } from '../fiscal/tag-table.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';

export function documentLines(nodes: readonly TlvNode[], indent = ''): string[] {
  const lines: string[] = [];
  for (const n of nodes) {
    const def = tagDef(n.tag);
    const name = `${def?.name ?? 'tag'} (${n.tag})`;
    if (Array.isArray(n.value)) {
      lines.push(`${indent}${name}:`, ...documentLines(n.value as readonly TlvNode[], `${indent}  `));
    } else if (n.value instanceof Uint8Array) {
      lines.push(`${indent}${name}: ${hex(n.value)}`);
    } else if (def?.type === 'vln' && typeof n.value === 'number') {
      lines.push(`${indent}${name}: ${rublesText(n.value)}`);
    } else if (def?.type === 'unixtime' && typeof n.value === 'number') {
      lines.push(`${indent}${name}: ${new Date(n.value * 1000).toISOString().slice(0, 16).replace('T', ' ')}`);
    } else {
      lines.push(`${indent}${name}: ${String(n.value)}`);
    }
  }
  return lines;
}
