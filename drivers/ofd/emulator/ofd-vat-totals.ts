/**
 * The VAT totals of a received receipt, as the FNS/OFD JSON names them (fiscal-spec §7.1):
 * nds20 … nds10110 for 1102–1107, and `amountsReceiptNds.amountsNds[{nds, ndsSum}]` for
 * the 1115 → 1119 {1199, 1120} group of the 2025–2026 rates. What an OFD's receipt view
 * shows; the OFD emulator writes it beside the raw tags.
 */
import type { TlvNode } from '../../../firmware/fiscal/tlv-codec.ts';

const OWN_TAGS: Readonly<Record<number, string>> = { 1102: 'nds20', 1103: 'nds10', 1104: 'nds0', 1105: 'ndsNo', 1106: 'nds20120', 1107: 'nds10110' };

export interface VatTotalsView {
  readonly [name: string]: number | { readonly amountsNds: readonly { readonly nds: number; readonly ndsSum: number }[] };
}

export function vatTotalsView(tags: readonly TlvNode[]): VatTotalsView | undefined {
  const out: Record<string, VatTotalsView[string]> = {};
  for (const n of tags) {
    const name = OWN_TAGS[n.tag];
    if (name !== undefined && typeof n.value === 'number') out[name] = n.value;
    if (n.tag === 1115 && Array.isArray(n.value)) {
      const amountsNds = (n.value as readonly TlvNode[])
        .filter((e) => e.tag === 1119 && Array.isArray(e.value))
        .map((e) => {
          const inner = e.value as readonly TlvNode[];
          const nds = inner.find((x) => x.tag === 1199)?.value;
          const ndsSum = inner.find((x) => x.tag === 1120)?.value;
          return { nds: typeof nds === 'number' ? nds : -1, ndsSum: typeof ndsSum === 'number' ? ndsSum : -1 };
        });
      out['amountsReceiptNds'] = { amountsNds };
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
