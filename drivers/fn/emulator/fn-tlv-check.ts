/**
 * What the FN checks in 07h data (fn-protocol §4.3.1; fiscal-spec §1.5): whole TLVs only,
 * lengths that match their data and the tag's type (18h), no tag the FN forms itself (0Bh),
 * no duplicated tag (0Ch), the per-document size limit (10h), and in FFD 1.2 mode 1222 with
 * 1226 in every item (§4.3.3). Like a real FN it does not run the full format-logic checks
 * (ФЛК): that is the OFD's job.
 */
import type { FfdVersion } from '../../../firmware/fiscal/ffd-version.ts';
import { isFnFormedTag } from '../../../firmware/fiscal/fn-formed-tags.ts';
import { maxLengthFor, tagDef } from '../../../firmware/fiscal/tag-table.ts';
import { FnRefusal, refuseTag } from './fn-refusal.ts';
import { FN_CODE } from '../fn-response-codes.ts';

/**
 * Tags that may appear more than once at the top level of a document: items, user properties,
 * and the phones of an FFD 1.05 agent receipt (ММВ-7-20/229@ Table 20, "Повт." = Да; agent-tags.ts).
 */
const REPEATABLE = new Set([1059, 1084, 1073, 1074, 1075, 1171]);

const FIXED_SIZES: Readonly<Record<string, number>> = { byte: 1, u16: 2, u32: 4, unixtime: 4 };

/**
 * Returns the top-level tags found, after checking `data`; throws FnRefusal on the first problem.
 * 0Bh is an answer "only when the FN works in FFD 1.1 mode" or later (Table 5): in FFD 1.05 mode
 * the emulator refuses FN-formed tags only with the `refuseFormedTagsInFfd105` knob (off by default).
 */
export function checkTlvData(data: Uint8Array, ffd: FfdVersion, seen: Set<number>, refuseFormedTagsInFfd105 = false): number[] {
  const refuseFormed = ffd !== '1.05' || refuseFormedTagsInFfd105;
  if (data.length === 0) throw new FnRefusal(FN_CODE.BAD_TLV, '07h with no data (fn-protocol §4.3.1, Table 31: 18h)');
  const tags: number[] = [];
  walk(data, ffd, refuseFormed, (tag) => {
    if (refuseFormed && isFnFormedTag(tag, ffd)) throw refuseTag(FN_CODE.FN_FORMED_TAG, tag, `tag ${tag} is formed by the FN (fn-protocol §5.3/§5.4, Table 31: 0Bh)`);
    if (seen.has(tag) && !REPEATABLE.has(tag)) throw refuseTag(FN_CODE.DUPLICATE_TAG, tag, `tag ${tag} sent twice (fn-protocol Table 5: 0Ch)`);
    seen.add(tag);
    tags.push(tag);
  });
  return tags;
}

function walk(data: Uint8Array, ffd: FfdVersion, refuseFormed: boolean, onTopLevel?: (tag: number) => void): void {
  let at = 0;
  while (at < data.length) {
    if (data.length - at < 4) throw new FnRefusal(FN_CODE.BAD_TLV, `${data.length - at} stray bytes after the last TLV (fn-protocol Table 31: 18h)`);
    const tag = (data[at] ?? 0) | ((data[at + 1] ?? 0) << 8);
    const length = (data[at + 2] ?? 0) | ((data[at + 3] ?? 0) << 8);
    if (at + 4 + length > data.length) throw refuseTag(FN_CODE.BAD_TLV, tag, `tag ${tag} claims ${length} bytes, ${data.length - at - 4} present (fn-protocol Table 31: 18h)`);
    onTopLevel?.(tag);
    checkValue(tag, data.subarray(at + 4, at + 4 + length), ffd, refuseFormed);
    at += 4 + length;
  }
}

function checkValue(tag: number, value: Uint8Array, ffd: FfdVersion, refuseFormed: boolean): void {
  const def = tagDef(tag);
  if (!def) return; // tags the emulator does not know are stored as they are
  const max = maxLengthFor(def, ffd);
  const fixed = def.fixedLength ?? FIXED_SIZES[def.type];
  if (value.length > max || (fixed !== undefined && value.length !== fixed) || (value.length === 0 && def.type !== 'string')) {
    throw refuseTag(FN_CODE.BAD_TLV, tag, `tag ${tag} (${def.name}) has ${value.length} bytes (fn-protocol Table 31: 18h)`);
  }
  if (def.type === 'stlv') {
    const inside = new Set<number>();
    walk(value, ffd, refuseFormed, (inner) => {
      if (refuseFormed && isFnFormedTag(inner, ffd)) throw refuseTag(FN_CODE.FN_FORMED_TAG, inner, `tag ${inner} is formed by the FN (fn-protocol §5.3/§5.4, Table 31: 0Bh)`);
      inside.add(inner);
    });
    // An FN 1.2 in FFD 1.1/1.2 mode checks the items (1059): 1222 and 1226 only together
    // (fn-protocol §4.3.3). The protocol names no code for it; 18h is the emulator's choice.
    if (tag === 1059 && ffd === '1.2' && inside.has(1222) !== inside.has(1226)) {
      throw refuseTag(FN_CODE.BAD_TLV, inside.has(1222) ? 1222 : 1226, `an item (1059) carries ${inside.has(1222) ? '1222 without 1226' : '1226 without 1222'}; they go together (fn-protocol §4.3.3)`);
    }
  }
}
