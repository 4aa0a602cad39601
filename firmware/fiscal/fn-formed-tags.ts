/**
 * Tags the FN forms itself: the register must never send them (fn-protocol §5.3, §5.4).
 * The document builders leave them out and the FN emulator refuses them with 0Bh naming
 * the tag, from this same table.
 *
 * The spec lists them per FFD mode, not per document, and has no list for FFD 1.0/1.05
 * mode (it promises 0Bh only from FFD 1.1 on). Decision: in FFD 1.05 mode we apply the
 * FFD 1.1 list (§5.3): the register never sends them. The FN emulator refuses them with 0Bh in
 * FFD 1.05 mode only with its `refuseFormedTagsInFfd105` knob (off by default), because Table 5
 * gives 0Bh from FFD 1.1 on (issue 10 §5). 1137 is in neither list (the digest's range
 * 1129–1146 was wrong: fn-protocol p.127).
 */
import type { FfdVersion } from './ffd-version.ts';

const COMMON: readonly number[] = [
  1001, 1002, 1012, 1017, 1018, 1020, 1037, 1038, 1040, 1041, 1042, 1050, 1051, 1052, 1053, 1054, 1056, 1062, 1077, 1097, 1098, 1111, 1116,
  1118, 1129, 1130, 1131, 1132, 1133, 1134, 1135, 1136, 1138, 1139, 1140, 1141, 1142, 1143, 1144, 1145, 1146, 1157, 1158, 1183, 1190, 1194,
  1201, 1205, 1206, 1209, 1213, 1218, 1219, 1220, 1232, 1233,
];

/** §5.3: the FFD 1.1 list, which adds the mode flags that FFD 1.2 folds into 1290. */
const FFD_11_ONLY: readonly number[] = [1109, 1110, 1126, 1193, 1207, 1221];
/** §5.4: FFD 1.2 adds 1290 and the marking counters. */
const FFD_12_ONLY: readonly number[] = [2106, 1290, 2116, 2104];

/**
 * 03h (the FFD 1.05 registration) has no OFD INN parameter, unlike A3h, so in FFD 1.05 the
 * register sends 1017 itself in the registration report (fn-protocol §4.4.2, Table 34).
 */
const SENT_BY_REGISTER_IN_105: ReadonlySet<number> = new Set([1017]);

const SETS: Readonly<Record<FfdVersion, ReadonlySet<number>>> = {
  '1.05': new Set([...COMMON, ...FFD_11_ONLY].filter((t) => !SENT_BY_REGISTER_IN_105.has(t))),
  '1.2': new Set([...COMMON, ...FFD_12_ONLY]),
};

export function isFnFormedTag(tag: number, ffd: FfdVersion): boolean {
  return SETS[ffd].has(tag);
}

export function fnFormedTags(ffd: FfdVersion): ReadonlySet<number> {
  return SETS[ffd];
}
