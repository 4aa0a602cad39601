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

export const FN_OK = 0x00;
/** Bit 7 of the ANSWER byte: some warning flag is up; the code is in bits 0–6 (fn-protocol §3.3). */
export const WARNING_BIT = 0x80;

const CODES: readonly FnResponseCode[] = [
  { code: 0x00, id: 'OK', message: 'success' },
  { code: 0x01, id: 'UNKNOWN_COMMAND', message: 'unknown command, or wrong format or parameters' },
  { code: 0x02, id: 'WRONG_STATE', message: 'wrong FN state for this command' },
  { code: 0x03, id: 'FN_FAILURE', message: 'FN failure (details via 35h)' },
  { code: 0x04, id: 'CRYPTO_FAILURE', message: 'crypto-coprocessor failure' },
  { code: 0x05, id: 'LIFETIME_EXCEEDED', message: 'the parameters do not fit the FN lifetime' },
  { code: 0x07, id: 'BAD_DATE_TIME', message: 'bad date or time' },
  { code: 0x08, id: 'NO_DATA', message: 'no requested data' },
  { code: 0x09, id: 'BAD_PARAMETER_VALUE', message: 'parameter value is wrong' },
  { code: 0x0a, id: 'NOT_ALLOWED_IN_MODE', message: 'command not allowed in this mode' },
  { code: 0x0b, id: 'FN_FORMED_TAG', message: 'the register sent a tag the FN forms itself' },
  { code: 0x0c, id: 'DUPLICATE_TAG', message: 'duplicated tag' },
  { code: 0x0d, id: 'TOTALS_DATA_MISSING', message: 'data needed for the totals is missing' },
  { code: 0x0e, id: 'TOO_MANY_ITEMS', message: 'too many items' },
  { code: 0x10, id: 'TLV_SIZE_EXCEEDED', message: 'TLV data size exceeded' },
  { code: 0x11, id: 'NO_TRANSPORT', message: 'no transport connection (send 21h first)' },
  { code: 0x12, id: 'RESOURCE_EXHAUSTED', message: 'FN resource exhausted' },
  { code: 0x14, id: 'RESOURCE_LIMIT', message: 'resource limit: OFD 30-day block, archive full or 30-day storage exhausted' },
  { code: 0x16, id: 'SHIFT_OVER_24H', message: 'the shift has lasted more than 24 hours' },
  { code: 0x17, id: 'TIMER_MISMATCH', message: 'time since the previous FD differs from the FN timer by more than 5 minutes' },
  { code: 0x18, id: 'BAD_TLV', message: 'bad tag format or length' },
  { code: 0x19, id: 'CONTRADICTS_REGISTRATION', message: 'a tag contradicts the registration' },
  { code: 0x20, id: 'OFD_RECEIPT_REJECTED', message: 'the OFD receipt cannot be accepted' },
  { code: 0x23, id: 'KEY_UPDATE_REFUSED', message: 'key update service refused' },
  { code: 0x24, id: 'KEY_UPDATE_UNKNOWN', message: 'unknown answer from the key update service' },
  { code: 0x30, id: 'KEY_UPDATE_REPEAT', message: 'repeat the key update' },
  { code: 0x32, id: 'MARKING_DISABLED', message: 'marking not enabled at registration' },
  { code: 0x33, id: 'MARKING_ORDER', message: 'wrong order of marking commands' },
  { code: 0x34, id: 'NOTIFICATIONS_FULL', message: 'notification storage full, marking blocked' },
  { code: 0x35, id: 'KM_TABLE_FULL', message: 'KM check table full' },
  { code: 0x36, id: 'KM_KEYS_EXPIRED', message: 'more than 90 days since the last KM key update' },
  { code: 0x3c, id: 'REQUIRED_TAG_MISSING', message: 'a required tag is missing' },
  { code: 0x3e, id: 'KM_NOT_CHECKED', message: 'tag 2007 carries a KM not checked in the FN' },
];

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
export const CODES_WITH_TAG: ReadonlySet<number> = new Set([0x0b, 0x0c, 0x3c]);

export function hexByte(b: number): string {
  return `${b.toString(16).toUpperCase().padStart(2, '0')}h`;
}
