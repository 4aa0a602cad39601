/**
 * 36h, the FN's counters (fn-protocol §4.2.1, Tables 15–18), derived from the archive: every
 * receipt and correction receipt the emulator formed carries its shift (1038), calculation sign
 * (1054), total (1020), payment sums (1031, 1081, 1215–1217) and VAT totals (1102–1107), so the
 * counters need no state of their own and cannot disagree with the documents.
 */
import { FD_TYPE } from '../../../firmware/fiscal/tag-table.ts';
import { decodeTlv, type TlvNode } from '../../../firmware/fiscal/tlv-codec.ts';
import { FN } from '../fn-commands.ts';
import { emptyCorrectionCounters, emptySignCounters, encodeCounterBlocks, SIGN_BLOCK, type CorrectionCounters, type SignCounters } from '../fn-counters.ts';
import type { FnDeviceCore, Handler } from './fn-device-core.ts';
import { encodeAnswer, parseRequest } from './fn-device-io.ts';
import type { ArchivedDocument } from './fn-emulator-state.ts';
import { FnRefusal } from './fn-refusal.ts';
import { FN_CODE } from '../fn-response-codes.ts';

/** Table 17's sums and the tags they add up (1102 is the "18 %" field, 20 % since 2019). */
const SUM_TAGS: readonly [keyof SignCounters, number][] = [
  ['total', 1020],
  ['cash', 1031],
  ['electronic', 1081],
  ['prepaid', 1215],
  ['credit', 1216],
  ['barter', 1217],
  ['vat20', 1102],
  ['vat10', 1103],
  ['sumVat0', 1104],
  ['sumNoVat', 1105],
  ['vat120', 1106],
  ['vat110', 1107],
];

interface Counted {
  readonly shift: number;
  readonly sign: number;
  readonly correction: boolean;
  readonly sums: ReadonlyMap<number, number>;
}

export function counterHandlers(core: FnDeviceCore): [number, Handler][] {
  // A formed document never changes: read each one's sums once.
  const read = new Map<number, Counted | null>();
  const counted = (doc: ArchivedDocument): Counted | null => {
    let c = read.get(doc.fd);
    if (c === undefined) {
      c = doc.fdType === FD_TYPE.receipt || doc.fdType === FD_TYPE.correctionReceipt ? sumsOf(doc) : null;
      read.set(doc.fd, c);
    }
    return c;
  };
  return [
    [
      FN.getCounters.code,
      (data) => {
        const { kind } = parseRequest(FN.getCounters, data);
        // §4.2.1: "executed when the FN forms documents in FFD 1.1 or 1.2"; otherwise not a command of it.
        if (core.ffd === '1.05') throw new FnRefusal(FN_CODE.UNKNOWN_COMMAND, '36h is executed only in FFD 1.1/1.2 mode (fn-protocol §4.2.1; Table 4: 01h)');
        if (kind > 1) throw new FnRefusal(FN_CODE.UNKNOWN_COMMAND, `counter type ${kind} is not 0 (shift) or 1 (FN) (fn-protocol Table 15; Table 4: 01h)`);
        const shift = core.state.shift.number;
        const signs: Record<string, SignCounters> = { sell: emptySignCounters(), sellRefund: emptySignCounters(), buy: emptySignCounters(), buyRefund: emptySignCounters() };
        let corrections: CorrectionCounters = emptyCorrectionCounters();
        let operations = 0;
        for (const doc of core.documents.values()) {
          const c = counted(doc);
          const block = c ? SIGN_BLOCK[c.sign] : undefined;
          if (!c || !block || (kind === 0 && c.shift !== shift)) continue;
          operations++;
          const total = c.sums.get(1020) ?? 0;
          if (c.correction) corrections = addCorrection(corrections, block, total);
          else signs[block] = addReceipt(signs[block]!, c.sums);
        }
        return encodeAnswer(FN.getCounters, {
          shiftNumber: shift,
          operations,
          blocks: encodeCounterBlocks({ sell: signs['sell']!, sellRefund: signs['sellRefund']!, buy: signs['buy']!, buyRefund: signs['buyRefund']!, corrections }),
        });
      },
    ],
  ];
}

function sumsOf(doc: ArchivedDocument): Counted {
  const nodes: TlvNode[] = decodeTlv(doc.tlv);
  const num = (tag: number): number | undefined => {
    const v = nodes.find((n) => n.tag === tag)?.value;
    return typeof v === 'number' ? v : undefined;
  };
  const sums = new Map<number, number>();
  for (const [, tag] of SUM_TAGS) {
    const v = num(tag);
    if (v !== undefined) sums.set(tag, v);
  }
  return { shift: num(1038) ?? 0, sign: num(1054) ?? 0, correction: doc.fdType === FD_TYPE.correctionReceipt, sums };
}

function addReceipt(c: SignCounters, sums: ReadonlyMap<number, number>): SignCounters {
  const next: Record<string, number> = { ...c, count: c.count + 1 };
  for (const [field, tag] of SUM_TAGS) next[field] = (next[field] ?? 0) + (sums.get(tag) ?? 0);
  return next as unknown as SignCounters;
}

function addCorrection(c: CorrectionCounters, block: string, total: number): CorrectionCounters {
  const count = `${block}Count` as keyof CorrectionCounters;
  const sum = `${block}Total` as keyof CorrectionCounters;
  return { ...c, count: c.count + 1, [count]: c[count] + 1, [sum]: c[sum] + total };
}
