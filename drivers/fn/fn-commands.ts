/**
 * The FN command set (fn-protocol §4; fiscal-spec §1.6): code, name, request layout,
 * answer layout and timeout class of every command the register uses. Driver and
 * emulator both read this table, so a layout is written once.
 */
import type { Layout, LayoutValue } from './fn-layout.ts';

export type TimeoutClass = 'normal' | 'long';

export interface FnCommand<Req extends Layout = Layout, Res extends Layout = Layout> {
  readonly code: number;
  readonly name: string;
  readonly request: Req;
  readonly response: Res;
  /** 'long' for the commands that sign big documents (16h, 03h/A3h, 05h; fiscal-spec §1.1). */
  readonly timeout: TimeoutClass;
}

export type RequestOf<C> = C extends FnCommand<infer R, Layout> ? LayoutValue<R> : never;
export type ResponseOf<C> = C extends FnCommand<Layout, infer R> ? LayoutValue<R> : never;

function command<const Req extends Layout, const Res extends Layout>(
  code: number,
  name: string,
  request: Req,
  response: Res,
  timeout: TimeoutClass = 'normal',
): FnCommand<Req, Res> {
  return { code, name, request, response, timeout };
}

const NONE = [] as const;
const FD_FPD = [['fd', 'u32'], ['fpd', 'u32']] as const;
const AT = [['dateTime', 'datetime']] as const;

export const FN = {
  // ---- status and service (§4.2)
  getStatus: command(0x30, 'FN status', NONE, [
    ['phase', 'u8'],
    ['document', 'u8'],
    ['documentData', 'u8'],
    ['shiftOpen', 'u8'],
    ['warnings', 'u8'],
    ['lastDocumentTime', 'datetime'],
    ['fnNumber', { ascii: 16 }],
    ['lastFd', 'u32'],
  ]),
  getFnNumber: command(0x31, 'FN number', NONE, [['fnNumber', { ascii: 16 }]]),
  getValidity: command(0x32, 'FN validity', NONE, [['validUntil', 'date'], ['reregistrationsLeft', 'u8'], ['registrationsDone', 'u8']]),
  getFirmwareVersion: command(0x33, 'FN firmware version', NONE, [['version', { ascii: 16 }], ['serial', 'u8']]),
  getLastErrors: command(0x35, 'FN last errors', NONE, [['data', 'rest']]),
  getFormat: command(0x3a, 'FN format (FFD)', NONE, [['ffdInUse', 'u8'], ['ffdMax', 'u8']]),
  getDaysLeft: command(0x3b, 'FN days left', AT, [['days', 'u16']]),
  getFreeResources: command(0x3d, 'FN free resources', NONE, [['fdsLeft', 'u32'], ['freeKb30Day', 'u32'], ['notificationPercent', 'u8', 'optional']]),
  // Tables 15–16: blocks decoded by fn-counters.ts (4 × Table 17 + Table 18).
  getCounters: command(0x36, 'FN counters', [['kind', 'u8']], [['shiftNumber', 'u16'], ['operations', 'u32'], ['blocks', { bytes: 348 }]]),
  getExecution: command(0x3f, 'FN execution', NONE, [['execution', { ascii: 48 }]]),
  getTransferredSize: command(0xa7, 'size of data passed', NONE, [['ofdBytes', 'u32'], ['notificationBytes', 'u32']]),
  setBaudRate: command(0xab, 'raise UART speed', [['baudRate', 'u32']], NONE),

  // ---- registration and closing the FN (§4.5, §4.4)
  startRegistration: command(0x02, 'start registration report', [['reportType', 'u8', 'optional']], NONE),
  formRegistration: command(
    0x03,
    'form registration report',
    [...AT, ['inn', { ascii: 12 }], ['rnm', 'rnm'], ['taxSystems', 'u8'], ['workMode', 'u8'], ['reason', 'u8', 'optional']],
    FD_FPD,
    'long',
  ),
  startRegistration12: command(0xa2, 'start registration report (FFD 1.1+)', [['reportType', 'u8'], ['ffdVersion', 'u8']], NONE),
  formRegistration12: command(
    0xa3,
    'form registration report (FFD 1.1+)',
    [...AT, ['inn', { ascii: 12 }], ['rnm', 'rnm'], ['taxSystems', 'u8'], ['workMode', 'u8'], ['extendedFlags', 'u8'], ['ofdInn', { ascii: 12 }], ['reasonCodes', 'u32', 'optional']],
    FD_FPD,
    'long',
  ),
  startCloseFn: command(0x04, 'start closing the FN', NONE, NONE),
  closeFn: command(0x05, 'close the FN', [...AT, ['rnm', 'rnm']], FD_FPD, 'long'),

  // ---- documents (§4.3, §4.6)
  cancelDocument: command(0x06, 'cancel document', NONE, NONE),
  sendTlv: command(0x07, 'document TLV data', [['tlv', 'rest']], NONE),
  getShiftParams: command(0x10, 'shift parameters', NONE, [['shiftOpen', 'u8'], ['shiftNumber', 'u16'], ['receiptNumber', 'u16']]),
  startOpenShift: command(0x11, 'start opening shift', AT, NONE),
  openShift: command(0x12, 'open shift', NONE, [['shiftNumber', 'u16'], ...FD_FPD, ['warnings', 'u8', 'optional']]),
  startCloseShift: command(0x13, 'start closing shift', AT, NONE),
  closeShift: command(0x14, 'close shift', NONE, [['shiftNumber', 'u16'], ...FD_FPD, ['warnings', 'u8', 'optional']]),
  startReceipt: command(0x15, 'start receipt', AT, NONE),
  formReceipt: command(0x16, 'form receipt', [...AT, ['operationType', 'u8'], ['total', 'u40']], [['receiptNumber', 'u16'], ...FD_FPD], 'long'),
  startCorrection: command(0x17, 'start correction receipt', AT, NONE),
  startStateReport: command(0x18, 'start settlement-state report', AT, NONE),
  formStateReport: command(0x19, 'form settlement-state report', NONE, [...FD_FPD, ['unconfirmedCount', 'u32'], ['firstUnconfirmedDate', 'date']]),

  // ---- OFD exchange (§4.7)
  getOfdStatus: command(0x20, 'OFD exchange status', NONE, [
    ['status', 'u8'],
    ['readingInProgress', 'u8'],
    ['messageCount', 'u16'],
    ['firstFd', 'u32'],
    ['firstFdTime', 'datetime'],
  ]),
  setTransportState: command(0x21, 'transport connection state', [['connected', 'u8']], NONE),
  startMessageRead: command(0x22, 'start reading OFD message', NONE, [['length', 'u16']]),
  readMessageBlock: command(0x23, 'read OFD message block', [['offset', 'u16'], ['length', 'u16']], [['data', 'rest']]),
  cancelMessageRead: command(0x24, 'cancel reading OFD message', NONE, NONE),
  finishMessageRead: command(0x25, 'finish reading OFD message', NONE, NONE),
  passOfdReceipt: command(0x26, 'pass OFD receipt', [['receipt', 'rest']], [['ofdCode', 'u8'], ['message', 'rest', 'optional']]),

  // ---- archive (§4.8)
  findDocument: command(0x40, 'find FD by number', [['fd', 'u32']], [['docType', 'u8'], ['ofdReceived', 'u8'], ['data', 'rest']]),
  getOfdReceipt: command(0x41, 'OFD receipt of an FD', [['fd', 'u32']], [...AT, ['operatorSign', { bytes: 18 }], ['fd', 'u32']]),
  getUnconfirmedCount: command(0x42, 'FDs without OFD receipt', NONE, [['count', 'u16']]),
  getRegistrationTotals: command(0x43, 'registration totals', [['index', 'u8', 'optional']], [['data', 'rest']]),
  getRegistrationTlv: command(0x44, 'registration TLV parameter', [['tag', 'u16']], [['tlv', 'rest']]),
  getDocumentTlv: command(0x45, 'FD in TLV form', [['fd', 'u32']], [['docType', 'u16'], ['length', 'u16']]),
  readDocumentTlv: command(0x46, 'next TLV of FD', NONE, [['tlv', 'rest']]),
  readRegistrationTlv: command(0x47, 'next registration TLV', NONE, [['tlv', 'rest']]),
} as const;

export type FnCommandName = keyof typeof FN;

/** Command by code, for the emulator's dispatcher and for logs. */
export const FN_BY_CODE: ReadonlyMap<number, FnCommand> = new Map(Object.values(FN).map((c) => [c.code, c as FnCommand]));
