/**
 * FN response codes (fn-protocol §3.4, Tables 4–5; fiscal-spec §1.3) and the reasons
 * of code 20h for an OFD receipt (fn-protocol §4.7.6). One table, read by the driver's
 * errors and by the emulator, so both speak the same words.
 */
export interface FnResponseCode {
  readonly code: number;
  readonly id: string;
  readonly message: string;
}

/** Bit 7 of the ANSWER byte: some warning flag is up; the code is in bits 0–6 (fn-protocol §3.3). */
export const WARNING_BIT = 0x80;

/** Every response code by name (fn-protocol Tables 4–5): code outside this folder says `FN_CODE.NO_DATA`, never `0x08`. */
export const FN_CODE = {
  OK: 0x00,
  UNKNOWN_COMMAND: 0x01,
  WRONG_STATE: 0x02,
  FN_FAILURE: 0x03,
  CRYPTO_FAILURE: 0x04,
  LIFETIME_EXCEEDED: 0x05,
  BAD_DATE_TIME: 0x07,
  NO_DATA: 0x08,
  BAD_PARAMETER_VALUE: 0x09,
  NOT_ALLOWED_IN_MODE: 0x0a,
  FN_FORMED_TAG: 0x0b,
  DUPLICATE_TAG: 0x0c,
  TOTALS_DATA_MISSING: 0x0d,
  TOO_MANY_ITEMS: 0x0e,
  TLV_SIZE_EXCEEDED: 0x10,
  NO_TRANSPORT: 0x11,
  RESOURCE_EXHAUSTED: 0x12,
  RESOURCE_LIMIT: 0x14,
  SHIFT_OVER_24H: 0x16,
  TIMER_MISMATCH: 0x17,
  BAD_TLV: 0x18,
  CONTRADICTS_REGISTRATION: 0x19,
  OFD_RECEIPT_REJECTED: 0x20,
  KEY_UPDATE_REFUSED: 0x23,
  KEY_UPDATE_UNKNOWN: 0x24,
  KEY_UPDATE_REPEAT: 0x30,
  MARKING_DISABLED: 0x32,
  MARKING_ORDER: 0x33,
  NOTIFICATIONS_FULL: 0x34,
  KM_TABLE_FULL: 0x35,
  KM_KEYS_EXPIRED: 0x36,
  REQUIRED_TAG_MISSING: 0x3c,
  KM_NOT_CHECKED: 0x3e,
} as const;
export type FnCodeName = keyof typeof FN_CODE;

const MESSAGES: Readonly<Record<FnCodeName, string>> = {
  OK: 'success',
  UNKNOWN_COMMAND: 'unknown command, or wrong format or parameters',
  WRONG_STATE: 'wrong FN state for this command',
  FN_FAILURE: 'FN failure (details via 35h)',
  CRYPTO_FAILURE: 'crypto-coprocessor failure',
  LIFETIME_EXCEEDED: 'the parameters do not fit the FN lifetime',
  BAD_DATE_TIME: 'bad date or time',
  NO_DATA: 'no requested data',
  BAD_PARAMETER_VALUE: 'parameter value is wrong',
  NOT_ALLOWED_IN_MODE: 'command not allowed in this mode',
  FN_FORMED_TAG: 'the register sent a tag the FN forms itself',
  DUPLICATE_TAG: 'duplicated tag',
  TOTALS_DATA_MISSING: 'data needed for the totals is missing',
  TOO_MANY_ITEMS: 'too many items',
  TLV_SIZE_EXCEEDED: 'TLV data size exceeded',
  NO_TRANSPORT: 'no transport connection (send 21h first)',
  RESOURCE_EXHAUSTED: 'FN resource exhausted',
  RESOURCE_LIMIT: 'resource limit: OFD 30-day block, archive full or 30-day storage exhausted',
  SHIFT_OVER_24H: 'the shift has lasted more than 24 hours',
  TIMER_MISMATCH: 'time since the previous FD differs from the FN timer by more than 5 minutes',
  BAD_TLV: 'bad tag format or length',
  CONTRADICTS_REGISTRATION: 'a tag contradicts the registration',
  OFD_RECEIPT_REJECTED: 'the OFD receipt cannot be accepted',
  KEY_UPDATE_REFUSED: 'key update service refused',
  KEY_UPDATE_UNKNOWN: 'unknown answer from the key update service',
  KEY_UPDATE_REPEAT: 'repeat the key update',
  MARKING_DISABLED: 'marking not enabled at registration',
  MARKING_ORDER: 'wrong order of marking commands',
  NOTIFICATIONS_FULL: 'notification storage full, marking blocked',
  KM_TABLE_FULL: 'KM check table full',
  KM_KEYS_EXPIRED: 'more than 90 days since the last KM key update',
  REQUIRED_TAG_MISSING: 'a required tag is missing',
  KM_NOT_CHECKED: 'tag 2007 carries a KM not checked in the FN',
};

const CODES: readonly FnResponseCode[] = (Object.keys(FN_CODE) as FnCodeName[]).map((id) => ({ code: FN_CODE[id], id, message: MESSAGES[id] }));

const BY_CODE = new Map(CODES.map((c) => [c.code, c]));

export function fnResponseCode(code: number): FnResponseCode {
  return BY_CODE.get(code) ?? { code, id: 'UNKNOWN_CODE', message: `unknown FN response code ${hexByte(code)}` };
}

/** Code 20h reasons for 26h (fn-protocol §4.7.6; fiscal-spec §1.6). */
export const OFD_RECEIPT_REJECT_REASONS: Readonly<Record<number, string>> = {
  1: 'bad operator fiscal sign (ФПО)',
  2: 'bad receipt format',
  3: 'bad FD number',
  4: 'bad FN number',
  5: 'bad CRC',
  6: 'bad OFD INN',
};

/** Codes whose answer data names a tag (Uint16 LE): 0Bh, 0Ch, 3Ch (fiscal-spec §1.3). */
/** The answers of 40h/45h for an FD the archive does not hold (fn-protocol §4.8: no data; the archive not readable in this phase). */
export const NO_SUCH_DOCUMENT: ReadonlySet<number> = new Set([FN_CODE.NO_DATA, FN_CODE.WRONG_STATE]);

export const CODES_WITH_TAG: ReadonlySet<number> = new Set([FN_CODE.FN_FORMED_TAG, FN_CODE.DUPLICATE_TAG, FN_CODE.REQUIRED_TAG_MISSING]);

export function hexByte(b: number): string {
  return `${b.toString(16).toUpperCase().padStart(2, '0')}h`;
}
