/**
 * The tags the register itself must send, per document type and FFD version: its half of
 * the FFD "mandatory" column (the FN's half is drivers/fn/emulator/fn-mandatory-tags.ts).
 * Checked against the builders by a test for every job type (issue 10 §5).
 *
 *   receipt / correction: tax system 1055; all five payment sums (FFD 1.2 requires them,
 *     fiscal-spec §7.4); the settlement address 1009; items 1059 (a correction carries them
 *     in FFD 1.2 only), each with name 1030, price 1079, quantity 1023, sum 1043, rate 1199,
 *     method 1214, object 1212, and in FFD 1.2 the unit 2108;
 *   correction: also 1173 and the basis 1174 with its date 1178;
 *   settlement on the internet (since 01.09.2025, fiscal-spec §7.3): 1125, 1187, 1008;
 *   registration: settlement address 1009, KKT serial 1013, FNS site 1060, KKT version 1188,
 *     its FFD 1189; in FFD 1.05 also the OFD INN 1017 (03h has no parameter for it, Table 34);
 *   shift reports: the cashier 1021 (the register always has one: the job's or the default);
 *   the settlement-state report: nothing of the register's.
 */
import type { FfdVersion } from './ffd-version.ts';
import { FD_TYPE } from './tag-table.ts';

const PAYMENTS = [1031, 1081, 1215, 1216, 1217];
const RECEIPT_TOP = [1055, 1009, ...PAYMENTS, 1059];

export interface RegisterTags {
  /** Top-level tags. */
  readonly top: readonly number[];
  /** Tags inside every 1059 item. */
  readonly item: readonly number[];
  /** Tags inside 1174 (corrections). */
  readonly basis?: readonly number[];
}

const ITEM_BOTH = [1030, 1079, 1023, 1043, 1199, 1214, 1212];

export const REGISTER_TAGS: Readonly<Record<number, Readonly<Record<FfdVersion, RegisterTags>>>> = {
  [FD_TYPE.receipt]: {
    '1.05': { top: RECEIPT_TOP, item: ITEM_BOTH },
    '1.2': { top: RECEIPT_TOP, item: [...ITEM_BOTH, 2108] },
  },
  [FD_TYPE.correctionReceipt]: {
    '1.05': { top: [1173, 1174, 1055, 1009, ...PAYMENTS], item: [], basis: [1178] },
    '1.2': { top: [1173, 1174, ...RECEIPT_TOP], item: [...ITEM_BOTH, 2108], basis: [1178] },
  },
};

const REGISTRATION_BOTH = [1009, 1013, 1060, 1188, 1189];
const REGISTRATION: Readonly<Record<FfdVersion, RegisterTags>> = {
  '1.05': { top: [...REGISTRATION_BOTH, 1017], item: [] },
  '1.2': { top: REGISTRATION_BOTH, item: [] },
};
const SHIFT: Readonly<Record<FfdVersion, RegisterTags>> = { '1.05': { top: [1021], item: [] }, '1.2': { top: [1021], item: [] } };

/** The other document types the register forms (registration-report.ts, shift-keeper). */
export const REGISTER_TAGS_OTHER: Readonly<Record<number, Readonly<Record<FfdVersion, RegisterTags>>>> = {
  [FD_TYPE.registration]: REGISTRATION,
  [FD_TYPE.reregistration]: REGISTRATION,
  [FD_TYPE.openShift]: SHIFT,
  [FD_TYPE.closeShift]: SHIFT,
  [FD_TYPE.stateReport]: { '1.05': { top: [], item: [] }, '1.2': { top: [], item: [] } },
};

/** Added to a receipt or correction that is a settlement on the internet (1125 = 1). */
export const INTERNET_TAGS: readonly number[] = [1125, 1187, 1008];
