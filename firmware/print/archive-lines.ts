/**
 * A document from the FN archive as printable lines, for a copy ("КОПИЯ") by FD number:
 * every tag the FN stored, by its name, nested items indented. The plain-text printers of
 * demo mode print these lines; money tags are shown in rubles.
 */
import { hex } from '../core/log.ts';
import { rublesText } from '../fiscal/money.ts';
import { tagDef } from '../fiscal/tag-table.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';

export function archiveLines(nodes: readonly TlvNode[], indent = ''): string[] {
  const lines: string[] = [];
  for (const n of nodes) {
    const def = tagDef(n.tag);
    const name = `${def?.name ?? 'tag'} (${n.tag})`;
    if (Array.isArray(n.value)) {
      lines.push(`${indent}${name}:`, ...archiveLines(n.value as readonly TlvNode[], `${indent}  `));
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
