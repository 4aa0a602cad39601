/**
 * The FFD tag table (fiscal-spec §2.3; FFD 1.05 and 1.2): number, wire type, maximum
 * length in bytes, name, and the FFD versions that carry the tag. The TLV codec, the
 * document builders and the FN emulator all read this one table (DESIGN.md §3 rule 10).
 *
 * Which of these tags the FN forms itself is a separate fact: see fn-formed-tags.ts.
 */
import type { FfdVersion } from './ffd-version.ts';

/** Wire types of fiscal-spec §2.1. */
export type TlvType =
  | 'stlv' // nested TLVs
  | 'string' // CP866 text
  | 'byte' // 1-byte unsigned: flags and enums
  | 'u16' // 2 bytes LE
  | 'u32' // 4 bytes LE
  | 'unixtime' // 4 bytes LE, seconds, the register's local time (fiscal-spec §6.6)
  | 'vln' // minimal LE unsigned; money in kopecks
  | 'fvln' // 1 byte decimal scale + VLN mantissa; quantities
  | 'bytes'; // opaque

export interface TagDef {
  readonly tag: number;
  readonly name: string;
  readonly type: TlvType;
  /** Maximum value length in bytes; a per-FFD value where the versions differ. */
  readonly maxLength: number | Readonly<Record<FfdVersion, number>>;
  /** The value always has exactly this many bytes (INN 12, RNM 20, FN number 16, FPD 6). */
  readonly fixedLength?: number;
  /** Fixed-length strings shorter than fixedLength are space-padded on the right (fiscal-spec §2.1). */
  readonly spacePadded?: boolean;
  readonly ffd: readonly FfdVersion[];
}

const BOTH: readonly FfdVersion[] = ['1.05', '1.2'];
const ONLY_105: readonly FfdVersion[] = ['1.05'];
const ONLY_12: readonly FfdVersion[] = ['1.2'];

const str = (tag: number, name: string, maxLength: number, ffd = BOTH): TagDef => ({ tag, name, type: 'string', maxLength, ffd });
const inn = (tag: number, name: string): TagDef => ({ tag, name, type: 'string', maxLength: 12, fixedLength: 12, spacePadded: true, ffd: BOTH });
const byte = (tag: number, name: string, ffd = BOTH): TagDef => ({ tag, name, type: 'byte', maxLength: 1, ffd });
const u32 = (tag: number, name: string, ffd = BOTH): TagDef => ({ tag, name, type: 'u32', maxLength: 4, ffd });
const money = (tag: number, name: string): TagDef => ({ tag, name, type: 'vln', maxLength: 6, ffd: BOTH });
const time = (tag: number, name: string, ffd = BOTH): TagDef => ({ tag, name, type: 'unixtime', maxLength: 4, ffd });
const stlv = (tag: number, name: string, maxLength: TagDef['maxLength'], ffd = BOTH): TagDef => ({ tag, name, type: 'stlv', maxLength, ffd });

/** Document (FD) type codes are the top-level STLV tags (fiscal-spec §2.2). */
const DOCUMENTS: readonly TagDef[] = [
  stlv(1, 'registrationReport', 6144),
  stlv(11, 'reregistrationReport', 6144),
  stlv(2, 'openShift', 4096),
  stlv(21, 'settlementStateReport', 32768),
  stlv(3, 'receipt', 32768),
  stlv(31, 'correctionReceipt', 32768),
  stlv(4, 'bso', 32768),
  stlv(41, 'bsoCorrection', 32768),
  stlv(5, 'closeShift', 4096),
  stlv(6, 'closeFn', 4096),
  stlv(7, 'operatorConfirmation', 512),
];

const FIELDS: readonly TagDef[] = [
  byte(1001, 'automaticMode'),
  byte(1002, 'autonomousMode'),
  str(1005, 'transferOperatorAddress', 256),
  str(1008, 'buyerPhoneOrAddress', 64),
  str(1009, 'retailPlaceAddress', 256),
  time(1012, 'dateTime'),
  str(1013, 'kktSerialNumber', 20),
  inn(1016, 'transferOperatorInn'),
  inn(1017, 'ofdInn'),
  inn(1018, 'userInn'),
  money(1020, 'totalSum'),
  str(1021, 'operator', 64),
  byte(1022, 'ofdResponseCode'),
  { tag: 1023, name: 'quantity', type: 'fvln', maxLength: 8, ffd: BOTH },
  str(1026, 'transferOperatorName', 64),
  str(1030, 'productName', 128),
  money(1031, 'cashTotalSum'),
  str(1036, 'machineNumber', 20),
  { tag: 1037, name: 'kktRegId', type: 'string', maxLength: 20, fixedLength: 20, spacePadded: true, ffd: BOTH },
  u32(1038, 'shiftNumber'),
  u32(1040, 'fiscalDocumentNumber'),
  { tag: 1041, name: 'fiscalDriveNumber', type: 'string', maxLength: 16, fixedLength: 16, ffd: BOTH },
  u32(1042, 'requestNumber'),
  money(1043, 'itemSum'),
  str(1044, 'paymentAgentOperation', 24),
  str(1046, 'ofdName', 256),
  str(1048, 'user', 256),
  byte(1050, 'fiscalDriveExhaustionSign'),
  byte(1051, 'fiscalDriveReplaceRequiredSign'),
  byte(1052, 'fiscalDriveMemoryExceededSign'),
  byte(1053, 'ofdResponseTimeoutSign'),
  byte(1054, 'operationType'),
  byte(1055, 'appliedTaxationType'),
  byte(1056, 'encryptionSign'),
  byte(1057, 'paymentAgentType'),
  stlv(1059, 'item', { '1.05': 328, '1.2': 1024 }),
  str(1060, 'fnsUrl', 256),
  byte(1062, 'taxationType'),
  stlv(1068, 'operatorMessage', 169),
  { tag: 1077, name: 'fiscalSign', type: 'bytes', maxLength: 6, fixedLength: 6, ffd: BOTH },
  { tag: 1078, name: 'operatorFiscalSign', type: 'bytes', maxLength: 18, ffd: BOTH },
  // Agent phones: "+" and at most 18 digits, 19 bytes (ATOL Online v4/v5 `phones`; SOURCES.md).
  str(1073, 'paymentAgentPhone', 19),
  str(1074, 'paymentOperatorPhone', 19),
  str(1075, 'transferOperatorPhone', 19),
  money(1079, 'price'),
  money(1081, 'ecashTotalSum'),
  money(1082, 'cashlessPaymentSum'),
  stlv(1084, 'properties', 320),
  str(1085, 'propertyName', 64),
  str(1086, 'propertyValue', 256),
  u32(1097, 'notTransmittedDocumentsQuantity'),
  time(1098, 'notTransmittedDocumentsDateTime'),
  byte(1101, 'correctionReasonCode'),
  money(1102, 'nds20'),
  money(1103, 'nds10'),
  money(1104, 'nds0'),
  money(1105, 'ndsNo'),
  money(1106, 'nds20120'),
  money(1107, 'nds10110'),
  byte(1108, 'internetSign'),
  byte(1109, 'serviceSign'),
  byte(1110, 'bsoSign'),
  u32(1111, 'documentsQuantity'),
  str(1117, 'sellerAddress', 64),
  u32(1116, 'notTransmittedDocumentNumber'),
  u32(1118, 'receiptsQuantity'),
  // 1115 → 1119 {1199, 1120}: VAT totals of rates 7–12 (fiscal-spec §7.1). The maximum lengths are
  // the sums of their parts (1119: 1199 5 + 1120 10 bytes; 1115: six rates), not a quoted fact [L].
  stlv(1115, 'amountsReceiptNds', 6 * (4 + 15)),
  stlv(1119, 'amountsNds', 15),
  money(1120, 'ndsRateSum'),
  byte(1125, 'internetPaymentSign'),
  byte(1126, 'lotterySign'),
  { tag: 1162, name: 'productCode', type: 'bytes', maxLength: 32, ffd: ONLY_105 },
  stlv(1163, 'productCodeNew', 256, ONLY_12),
  byte(1173, 'correctionType'),
  stlv(1174, 'correctionBase', 292),
  str(1177, 'correctionDocumentName', 256, ONLY_105),
  time(1178, 'correctionDocumentDate'),
  str(1179, 'correctionDocumentNumber', 32),
  str(1171, 'providerPhone', 19),
  str(1187, 'retailPlace', 256),
  str(1188, 'kktVersion', 8),
  byte(1189, 'documentKktVersion'),
  byte(1190, 'documentFdVersion'),
  str(1191, 'propertiesItem', 64),
  str(1192, 'propertiesData', 16),
  byte(1193, 'gamblingSign'),
  str(1197, 'unit', 16, ONLY_105),
  byte(1199, 'nds'),
  money(1200, 'ndsSum'),
  inn(1203, 'operatorInn'),
  { tag: 1205, name: 'correctionKktReasonCode', type: 'u32', maxLength: 4, ffd: BOTH },
  byte(1206, 'operatorMessageCode'),
  byte(1207, 'exciseDutyProductSign'),
  str(1208, 'sellerReceiptSite', 256),
  byte(1209, 'fiscalDocumentFormatVer'),
  byte(1212, 'productType'),
  { tag: 1213, name: 'fdKeyResource', type: 'u16', maxLength: 2, ffd: BOTH },
  byte(1214, 'paymentType'),
  money(1215, 'prepaidSum'),
  money(1216, 'creditSum'),
  money(1217, 'provisionSum'),
  byte(1221, 'printInMachineSign'),
  // 1234 {1235 {1082, 1236, 1237, 1238}…}: cashless payment details (fiscal-spec §7.3; SOURCES.md).
  // 1237/1238 are "at most 256 characters"; the STLV maxima are the sums of their parts [L].
  stlv(1234, 'cashlessPayments', 8 * (4 + 535)),
  stlv(1235, 'cashlessPayment', 535),
  byte(1236, 'cashlessPaymentMethod'),
  str(1237, 'cashlessPaymentIds', 256),
  str(1238, 'cashlessPaymentInfo', 256),
  byte(1222, 'itemAgentType'),
  stlv(1223, 'paymentAgentData', 512),
  stlv(1224, 'providerData', 512),
  str(1225, 'providerName', 256),
  inn(1226, 'providerInn'),
  str(1227, 'buyer', 256),
  inn(1228, 'buyerInn'),
  stlv(1256, 'buyerInformation', 1024, ONLY_12),
  u32(1290, 'usageConditionSign', ONLY_12),
  byte(2108, 'itemsQuantityMeasure', ONLY_12),
];

export const TAG_TABLE: ReadonlyMap<number, TagDef> = new Map([...DOCUMENTS, ...FIELDS].map((d) => [d.tag, d]));

/** The definition of a tag, or undefined for a tag the register does not know. */
export function tagDef(tag: number): TagDef | undefined {
  return TAG_TABLE.get(tag);
}

export function maxLengthFor(def: TagDef, ffd: FfdVersion): number {
  return typeof def.maxLength === 'number' ? def.maxLength : def.maxLength[ffd];
}

/** Document type codes (fiscal-spec §2.2), named for the code that switches on them. */
export const FD_TYPE = {
  registration: 1,
  reregistration: 11,
  openShift: 2,
  stateReport: 21,
  receipt: 3,
  correctionReceipt: 31,
  closeShift: 5,
  closeFn: 6,
  operatorConfirmation: 7,
} as const;
export type FdType = (typeof FD_TYPE)[keyof typeof FD_TYPE];

/** Registration and re-registration reports belong to no shift: they carry no 1038. */
export function isRegistrationReport(fdType: number): boolean {
  return fdType === FD_TYPE.registration || fdType === FD_TYPE.reregistration;
}
