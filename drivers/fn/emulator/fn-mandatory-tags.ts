/**
 * The tags the FN forms itself that each document must carry, per FFD version: the FN's
 * half of the FFD tables "mandatory" column (the register's half is
 * firmware/fiscal/register-tags.ts). One table, read by the emulator's tests for every
 * document type in FFD 1.05 and 1.2 (issue 10 §5).
 *
 * Every FD carries 1012, 1040, 1041, 1077 (the FN numbers, dates and signs it) and, once
 * registered, 1018 and 1037 (§4.3.1; fn-document-forming.ts). Beyond those:
 *   - registration / re-registration: 1062 tax systems, the work-mode flags 1001, 1002, 1056
 *     (Table 37/38), in FFD 1.05 also 1108, 1109, 1110 and 1221 (Table 50: 03h has no
 *     extended flags, so 1221 is 0), in FFD 1.2 1017, 1190, 1290 (Tables 38, 51);
 *   - shift reports: 1038; closing also 1111, 1118, 1097 and the FN's warning flags 1050–1053
 *     (fiscal-spec §1.7, Table 9 bits b1, b0, b2, b3);
 *   - receipts and corrections: 1038, 1042, 1054, 1020 (from 16h, Tables 66–67);
 *   - the settlement-state report: 1097 and 1002 (autonomous mode).
 * 1098 (and 1116 in the state report) only when documents wait for the OFD: WHEN_WAITING.
 */
import type { FfdVersion } from '../../../firmware/fiscal/ffd-version.ts';
import { FD_TYPE } from '../../../firmware/fiscal/tag-table.ts';
import type { TlvNode } from '../../../firmware/fiscal/tlv-codec.ts';

const EVERY = [1012, 1040, 1041, 1077, 1018, 1037] as const;
const REGISTRATION_BOTH = [...EVERY, 1062, 1001, 1002, 1056];
const REGISTRATION: Readonly<Record<FfdVersion, readonly number[]>> = {
  '1.05': [...REGISTRATION_BOTH, 1108, 1109, 1110, 1221],
  '1.2': [...REGISTRATION_BOTH, 1017, 1190, 1290],
};
const SAME = (tags: readonly number[]): Readonly<Record<FfdVersion, readonly number[]>> => ({ '1.05': tags, '1.2': tags });

export const FN_MANDATORY_TAGS: Readonly<Record<number, Readonly<Record<FfdVersion, readonly number[]>>>> = {
  [FD_TYPE.registration]: REGISTRATION,
  [FD_TYPE.reregistration]: REGISTRATION,
  [FD_TYPE.openShift]: SAME([...EVERY, 1038]),
  [FD_TYPE.closeShift]: SAME([...EVERY, 1038, 1111, 1118, 1097, 1050, 1051, 1052, 1053]),
  [FD_TYPE.receipt]: SAME([...EVERY, 1038, 1042, 1054, 1020]),
  [FD_TYPE.correctionReceipt]: SAME([...EVERY, 1038, 1042, 1054, 1020]),
  [FD_TYPE.stateReport]: SAME([...EVERY, 1097, 1002]),
  [FD_TYPE.closeFn]: SAME([...EVERY, 1038]),
};

/** Tags present only while documents wait for the OFD (1097 > 0). */
export const FN_TAGS_WHEN_WAITING: Readonly<Record<number, readonly number[]>> = {
  [FD_TYPE.closeShift]: [1098],
  [FD_TYPE.stateReport]: [1098, 1116],
};

/** Warning-flag bits (fn-protocol Table 9) → the flag tags of a shift-close report (fiscal-spec §1.7). */
const WARNING_TAGS: readonly [bit: number, tag: number][] = [
  [1, 1050], // key validity ends within 30 days
  [0, 1051], // urgent replacement: within 3 days
  [2, 1052], // archive 99 % full
  [3, 1053], // OFD response timeout
];

export function warningTags(flags: number): TlvNode[] {
  return WARNING_TAGS.map(([bit, tag]) => ({ tag, value: (flags >> bit) & 1 }));
}
