/**
 * Document commands of the emulator: cancel and TLV data (§4.3), shifts, receipts,
 * correction receipts and the settlement-state report (§4.6). Rules per command follow the
 * error tables of fn-protocol v1.2.06 (Tables 31, 55–75).
 */
import { decodeTlv, findTag, type TlvNode } from '../../../firmware/fiscal/tlv-codec.ts';
import { FD_TYPE } from '../../../firmware/fiscal/tag-table.ts';
import { PAYMENT_TYPES } from '../../../firmware/fiscal/receipt-codes.ts';
import { RECEIPT_SUMMARY, SHIFT_SUMMARY, STATE_REPORT_SUMMARY } from '../fn-archive-layouts.ts';
import { FN } from '../fn-commands.ts';
import { warningFlags, type FnDeviceCore, type Handler } from './fn-device-core.ts';
import { EMPTY, encodeAnswer, parseRequest } from './fn-device-io.ts';
import { PHASE } from '../fn-status-flags.ts';
import {
  checkNotEarlier,
  checkOfdBlock,
  checkShiftAge,
  checkTimer,
  documentData,
  DOCUMENT_DATA_LIMIT,
  formDocument,
  requireNoOpenDocument,
  requireOpen,
  startDocument,
} from './fn-document-forming.ts';
import { FnRefusal } from './fn-refusal.ts';
import { checkTlvData } from './fn-tlv-check.ts';
import { FN_CODE } from '../fn-response-codes.ts';
import { warningTags } from './fn-mandatory-tags.ts';

/** Work-mode bit 1: autonomous (fn-protocol Table 37), the FN's 1002. */
const AUTONOMOUS_BIT = 0b10;

export function documentHandlers(core: FnDeviceCore): [number, Handler][] {
  const fiscal = (): void => core.requirePhase(PHASE.fiscal);
  /** 12h/14h add the warning flags only in FFD 1.1/1.2 mode (fn-protocol Tables 58, 62). */
  const flags = (): { warnings?: number } => (core.ffd === '1.2' ? { warnings: warningFlags(core) } : {});

  return [
    [
      FN.cancelDocument.code,
      () => {
        // 06h drops any open document and its 07h data (fn-protocol §4.3.2); with none open it is a no-op.
        if (core.state.document) {
          const { document: _dropped, ...rest } = core.state;
          core.commit(rest);
        }
        core.documentData = [];
        core.documentBytes = 0;
        core.documentTags = new Set();
        return EMPTY;
      },
    ],
    [
      FN.sendTlv.code,
      (data) => {
        const doc = requireOpen(core, 'registration', 'reregistration', 'closeFn', 'openShift', 'closeShift', 'receipt', 'correctionReceipt', 'stateReport');
        const limit = DOCUMENT_DATA_LIMIT[doc.kind];
        if (core.documentBytes + data.length > limit) throw new FnRefusal(FN_CODE.TLV_SIZE_EXCEEDED, `document data would be ${core.documentBytes + data.length} bytes, at most ${limit} (fn-protocol Table 31: 10h)`);
        checkTlvData(data, doc.ffd ?? core.ffd, core.documentTags, core.options.refuseFormedTagsInFfd105);
        core.documentData.push(data.slice());
        core.documentBytes += data.length;
        core.transferred += data.length;
        return EMPTY;
      },
    ],
    [
      FN.getShiftParams.code,
      () => {
        fiscal();
        const s = core.state.shift;
        return encodeAnswer(FN.getShiftParams, { shiftOpen: s.open ? 1 : 0, shiftNumber: s.number, receiptNumber: s.receipts });
      },
    ],
    [
      FN.startOpenShift.code,
      (data) => {
        const { dateTime } = parseRequest(FN.startOpenShift, data);
        fiscal();
        requireNoOpenDocument(core);
        if (core.state.shift.open) throw new FnRefusal(FN_CODE.WRONG_STATE, 'the shift is already open (fn-protocol Table 57: 02h)');
        checkNotEarlier(core, dateTime);
        checkOfdBlock(core, dateTime);
        startDocument(core, { kind: 'openShift', startedAt: dateTime });
        return EMPTY;
      },
    ],
    [
      FN.openShift.code,
      () => {
        const doc = requireOpen(core, 'openShift');
        const number = core.state.shift.number + 1;
        const formed = formDocument(core, {
          fdType: FD_TYPE.openShift,
          time: doc.startedAt,
          formed: [{ tag: 1038, value: number }],
          summaryLayout: SHIFT_SUMMARY,
          summary: { shiftNumber: number },
          next: (s) => ({ ...s, shift: { open: true, number, openedAt: doc.startedAt, receipts: 0, documents: 1 } }),
        });
        return encodeAnswer(FN.openShift, { shiftNumber: number, fd: formed.fd, fpd: formed.fpd, ...flags() });
      },
    ],
    [
      FN.startCloseShift.code,
      (data) => {
        const { dateTime } = parseRequest(FN.startCloseShift, data);
        fiscal();
        requireNoOpenDocument(core);
        if (!core.state.shift.open) throw new FnRefusal(FN_CODE.WRONG_STATE, 'no shift is open (fn-protocol Table 61: 02h)');
        // A shift over 24 h can and must still be closed: no 16h here (fn-protocol Table 61).
        checkNotEarlier(core, dateTime);
        checkOfdBlock(core, dateTime);
        startDocument(core, { kind: 'closeShift', startedAt: dateTime });
        return EMPTY;
      },
    ],
    [
      FN.closeShift.code,
      () => {
        const doc = requireOpen(core, 'closeShift');
        const shift = core.state.shift;
        const unsent = core.unconfirmedCount();
        const oldest = core.oldestUnconfirmed();
        const formed = formDocument(core, {
          fdType: FD_TYPE.closeShift,
          time: doc.startedAt,
          formed: [
            { tag: 1038, value: shift.number },
            { tag: 1111, value: shift.documents + 1 },
            { tag: 1118, value: shift.receipts },
            { tag: 1097, value: unsent },
            ...(oldest ? [{ tag: 1098, value: oldest.time }] : []),
            ...warningTags(warningFlags(core)),
          ],
          summaryLayout: SHIFT_SUMMARY,
          summary: { shiftNumber: shift.number },
          next: (s) => ({ ...s, shift: { ...shift, open: false, documents: shift.documents + 1 } }),
        });
        return encodeAnswer(FN.closeShift, { shiftNumber: shift.number, fd: formed.fd, fpd: formed.fpd, ...flags() });
      },
    ],
    [FN.startReceipt.code, (data) => startCheck(core, parseRequest(FN.startReceipt, data).dateTime, 'receipt')],
    [FN.startCorrection.code, (data) => startCheck(core, parseRequest(FN.startCorrection, data).dateTime, 'correctionReceipt')],
    [
      FN.formReceipt.code,
      (data) => {
        const { dateTime, operationType, total } = parseRequest(FN.formReceipt, data);
        const doc = requireOpen(core, 'receipt', 'correctionReceipt');
        checkNotEarlier(core, dateTime, doc.startedAt);
        checkShiftAge(core, dateTime, FN_CODE.BAD_DATE_TIME);
        checkOfdBlock(core, dateTime);
        // Table 66 allows 1–4; Table 68 names no code for another value: the universal 01h (Table 4).
        if (operationType < 1 || operationType > 4) throw new FnRefusal(FN_CODE.UNKNOWN_COMMAND, `operation type ${operationType} is not 1..4 (fn-protocol Table 66; Table 4: 01h)`);
        if (core.options.strictTotals) checkTotals(core, total);
        const shift = core.state.shift;
        const receiptNumber = shift.receipts + 1;
        const formed = formDocument(core, {
          fdType: doc.kind === 'receipt' ? FD_TYPE.receipt : FD_TYPE.correctionReceipt,
          time: dateTime,
          formed: [
            { tag: 1038, value: shift.number },
            { tag: 1042, value: receiptNumber },
            { tag: 1054, value: operationType },
            { tag: 1020, value: total },
          ],
          summaryLayout: RECEIPT_SUMMARY,
          summary: { operationType, total },
          next: (s) => ({ ...s, shift: { ...shift, receipts: receiptNumber, documents: shift.documents + 1 } }),
        });
        return encodeAnswer(FN.formReceipt, { receiptNumber, fd: formed.fd, fpd: formed.fpd });
      },
    ],
    [
      FN.startStateReport.code,
      (data) => {
        const { dateTime } = parseRequest(FN.startStateReport, data);
        fiscal();
        requireNoOpenDocument(core);
        checkNotEarlier(core, dateTime);
        checkOfdBlock(core, dateTime);
        startDocument(core, { kind: 'stateReport', startedAt: dateTime });
        return EMPTY;
      },
    ],
    [
      FN.formStateReport.code,
      () => {
        const doc = requireOpen(core, 'stateReport');
        const unsent = core.unconfirmedCount();
        const first = core.oldestUnconfirmed();
        const formed = formDocument(core, {
          fdType: FD_TYPE.stateReport,
          time: doc.startedAt,
          formed: [
            { tag: 1097, value: unsent },
            ...(first ? [{ tag: 1098, value: first.time }, { tag: 1116, value: first.fd }] : []),
            { tag: 1002, value: (core.state.registration?.workMode ?? 0) & AUTONOMOUS_BIT ? 1 : 0 },
          ],
          summaryLayout: STATE_REPORT_SUMMARY,
          // With nothing unsent the date field carries the report's own date.
          summary: { unconfirmedCount: unsent, firstUnconfirmedDate: first?.time ?? doc.startedAt },
          next: (s) => ({ ...s, shift: { ...s.shift, documents: s.shift.open ? s.shift.documents + 1 : s.shift.documents } }),
        });
        return encodeAnswer(FN.formStateReport, {
          fd: formed.fd,
          fpd: formed.fpd,
          unconfirmedCount: unsent,
          firstUnconfirmedDate: first?.time ?? doc.startedAt,
        });
      },
    ],
  ];
}

/** 15h and 17h: the same conditions (fn-protocol Tables 65, 71). */
function startCheck(core: FnDeviceCore, at: number, kind: 'receipt' | 'correctionReceipt'): Uint8Array {
  core.requirePhase(PHASE.fiscal);
  requireNoOpenDocument(core);
  if (!core.state.shift.open) throw new FnRefusal(FN_CODE.WRONG_STATE, 'no shift is open (fn-protocol Tables 65, 71: 02h)');
  checkNotEarlier(core, at);
  checkShiftAge(core, at, FN_CODE.SHIFT_OVER_24H);
  checkTimer(core, at);
  checkOfdBlock(core, at);
  startDocument(core, { kind, startedAt: at });
  return EMPTY;
}

/**
 * The `strictTotals` knob (fn-device.ts; off by default): the payments and the items must
 * add up to the 16h total, else 09h. Not an FN rule: Table 68 lists no such code, and the FN
 * runs no format-logic checks (§4.3.1). Nor is 0Dh ("payment sums missing", Table 69): Table
 * 68 gives 0Ah and 0Dh for FFD 1.1 only, so this emulator, which works in FFD 1.05 and 1.2,
 * never answers them (issue 10 §5).
 */
function checkTotals(core: FnDeviceCore, total: number): void {
  const nodes = decodeTlv(documentData(core));
  let present = 0;
  let paid = 0;
  for (const p of PAYMENT_TYPES) {
    const node = findTag(nodes, p.tag);
    if (node && typeof node.value === 'number') {
      present++;
      paid += node.value;
    }
  }
  if (present !== 0 && paid !== total) throw new FnRefusal(FN_CODE.BAD_PARAMETER_VALUE, `payments add up to ${paid}, the total is ${total} (not an FN rule: the strictTotals knob)`);
  const items = nodes.filter((n) => n.tag === 1059);
  if (items.length > 0) {
    const sum = items.reduce((acc, item) => acc + itemSum(item), 0);
    if (sum !== total) throw new FnRefusal(FN_CODE.BAD_PARAMETER_VALUE, `items add up to ${sum}, the total is ${total} (not an FN rule: the strictTotals knob)`);
  }
}

function itemSum(item: TlvNode): number {
  const sum = Array.isArray(item.value) ? findTag(item.value as readonly TlvNode[], 1043) : undefined;
  return typeof sum?.value === 'number' ? sum.value : 0;
}
