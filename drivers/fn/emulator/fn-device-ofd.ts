/**
 * OFD exchange of the emulator (fn-protocol §4.7): the queue of documents for the OFD,
 * read out as containers (fiscal-spec §3.2, §6.1) with 22h–25h, and confirmed by the
 * OFD's receipt passed with 26h. The FN is the queue of record: a document leaves it only
 * when a receipt for exactly that document checks out.
 */
import { concatBytes } from '../../../firmware/core/bytes.ts';
import { encodeNode, decodeTlv, findTag, type TlvNode } from '../../../firmware/fiscal/tlv-codec.ts';
import { FD_TYPE } from '../../../firmware/fiscal/tag-table.ts';
import { decodeContainer, encodeContainer } from '../../ofd/ofd-container.ts';
import { operatorSign } from '../../ofd/operator-sign.ts';
import { FN } from '../fn-commands.ts';
import { MAX_FRAME_DATA } from '../fn-frame-codec.ts';
import type { FnDeviceCore, Handler } from './fn-device-core.ts';
import { EMPTY, encodeAnswer, parseRequest } from './fn-device-io.ts';
import type { ArchivedDocument } from './fn-emulator-state.ts';
import { OFD_STATUS, PHASE } from '../fn-status-flags.ts';
import { FnRefusal } from './fn-refusal.ts';
import { FN_CODE } from '../fn-response-codes.ts';

/** 26h code 20h reasons (fn-protocol Table 90). */
const REJECT = { sign: 1, format: 2, fdNumber: 3, fnNumber: 4, crc: 5, ofdInn: 6 } as const;
/** DATE_TIME sent when there is no document to date (2000-01-01 00:00). */
const NO_DATE = Date.UTC(2000, 0, 1) / 1000;

/**
 * The FN's message trailer after the document STLV: `81 06` + the FPD tag bytes + `00 00`,
 * the shape of public samples; its true structure is not confirmed (fiscal-spec §3.2 [L]).
 */
function trailer(doc: ArchivedDocument): Uint8Array {
  return Uint8Array.of(0x81, 0x06, 0x21, 0x04, (doc.fpd >>> 24) & 0xff, (doc.fpd >>> 16) & 0xff, (doc.fpd >>> 8) & 0xff, doc.fpd & 0xff, 0, 0);
}

/** The container the FN hands out for a document (fiscal-spec §6.1: the transport adds the session header). */
export function messageFor(core: FnDeviceCore, doc: ArchivedDocument): Uint8Array {
  const stlv = new Uint8Array(4 + doc.tlv.length);
  new DataView(stlv.buffer).setUint16(0, doc.fdType, true);
  new DataView(stlv.buffer).setUint16(2, doc.tlv.length, true);
  stlv.set(doc.tlv, 4);
  const body = concatBytes([stlv, trailer(doc)]);
  return encodeContainer({ fdType: doc.fdType, fnNumber: core.state.fnNumber, fdNumber: doc.fd, body });
}

export function ofdHandlers(core: FnDeviceCore): [number, Handler][] {
  const exchangePhase = (): void => core.requirePhase(PHASE.fiscal, PHASE.postFiscal);
  const requireTransport = (): void => {
    if (!core.transport) throw new FnRefusal(FN_CODE.NO_TRANSPORT, 'no transport connection: send 21h(1) first (fn-protocol Tables 81, 84: 11h)');
  };
  const requireReading = (): { fd: number; message: Uint8Array } => {
    if (!core.reading) throw new FnRefusal(FN_CODE.WRONG_STATE, 'no message is being read: send 22h first (fn-protocol Tables 84, 86: 02h)');
    return core.reading;
  };
  return [
    [
      FN.getOfdStatus.code,
      () => {
        exchangePhase();
        const first = core.oldestUnconfirmed();
        let status = 0;
        if (core.transport) status |= OFD_STATUS.transport;
        if (first) status |= OFD_STATUS.messageWaiting;
        if (core.awaitingReceipt !== undefined) status |= OFD_STATUS.awaitingReceipt;
        return encodeAnswer(FN.getOfdStatus, {
          status,
          readingInProgress: core.reading ? 1 : 0,
          messageCount: Math.min(core.unconfirmedCount(), 0xffff),
          firstFd: first?.fd ?? 0,
          firstFdTime: first?.time ?? NO_DATE,
        });
      },
    ],
    [
      FN.setTransportState.code,
      (data) => {
        const { connected } = parseRequest(FN.setTransportState, data);
        exchangePhase();
        core.transport = connected === 1;
        if (!core.transport) core.reading = undefined;
        return EMPTY;
      },
    ],
    [
      FN.startMessageRead.code,
      () => {
        exchangePhase();
        requireTransport();
        const first = core.oldestUnconfirmed();
        if (!first) throw new FnRefusal(FN_CODE.NO_DATA, 'no message for the OFD (fn-protocol Table 81: 08h)');
        const message = messageFor(core, first);
        core.reading = { fd: first.fd, message };
        return encodeAnswer(FN.startMessageRead, { length: message.length });
      },
    ],
    [
      FN.readMessageBlock.code,
      (data) => {
        const { offset, length } = parseRequest(FN.readMessageBlock, data);
        requireTransport();
        const { message } = requireReading();
        if (offset > message.length) throw new FnRefusal(FN_CODE.UNKNOWN_COMMAND, `offset ${offset} is past the message length ${message.length} (fn-protocol Table 84: 01h)`);
        return encodeAnswer(FN.readMessageBlock, { data: message.subarray(offset, offset + Math.min(length, MAX_FRAME_DATA)) });
      },
    ],
    [
      FN.cancelMessageRead.code,
      () => {
        requireReading();
        core.reading = undefined;
        return EMPTY;
      },
    ],
    [
      FN.finishMessageRead.code,
      () => {
        core.awaitingReceipt = requireReading().fd;
        core.reading = undefined;
        return EMPTY;
      },
    ],
    [FN.passOfdReceipt.code, (data) => passReceipt(core, parseRequest(FN.passOfdReceipt, data).receipt)],
  ];
}

function passReceipt(core: FnDeviceCore, bytes: Uint8Array): Uint8Array {
  core.requirePhase(PHASE.fiscal, PHASE.postFiscal);
  const reject = (reason: number, why: string): never => {
    throw new FnRefusal(FN_CODE.OFD_RECEIPT_REJECTED, `${why} (fn-protocol Table 89: 20h, reason ${reason})`, Uint8Array.of(reason));
  };
  const decoded = decodeContainer(bytes);
  if (!decoded.ok) return reject(decoded.problem === 'crc' ? REJECT.crc : REJECT.format, `receipt container: ${decoded.problem}`);
  const c = decoded.container;
  if (c.fnNumber !== core.state.fnNumber) return reject(REJECT.fnNumber, `receipt for FN ${c.fnNumber}`);
  if (c.fdType !== FD_TYPE.operatorConfirmation) return reject(REJECT.format, `container holds FD type ${c.fdType}, not 7`);
  let body: TlvNode[];
  try {
    const top = decodeTlv(c.body);
    const stlv = top[0];
    if (!stlv || stlv.tag !== FD_TYPE.operatorConfirmation || !Array.isArray(stlv.value)) return reject(REJECT.format, 'no operator confirmation STLV');
    body = stlv.value as TlvNode[];
  } catch {
    return reject(REJECT.format, 'operator confirmation is not valid TLV');
  }
  const num = (tag: number): number | undefined => {
    const v = findTag(body, tag)?.value;
    return typeof v === 'number' ? v : undefined;
  };
  const fd = num(1040);
  const head = core.oldestUnconfirmed();
  if (fd === undefined || fd !== head?.fd || fd !== c.fdNumber) return reject(REJECT.fdNumber, `receipt for FD ${fd}, the FN waits for ${head?.fd ?? 'none'}`);
  const ofdInn = findTag(body, 1017)?.value;
  const registered = core.state.registration?.ofdInn ?? '';
  if (typeof ofdInn !== 'string' || (/[1-9]/.test(registered) && ofdInn !== registered)) return reject(REJECT.ofdInn, `OFD INN ${String(ofdInn)} is not ${registered}`);
  const dateTime = num(1012) ?? 0;
  const sign = findTag(body, 1078)?.value;
  const expected = operatorSign(core.options.operatorKey, { fnNumber: core.state.fnNumber, fdNumber: fd, ofdInn, dateTime });
  if (!(sign instanceof Uint8Array) || !equalBytes(sign, expected)) return reject(REJECT.sign, 'operator fiscal sign does not verify');
  const message = findTag(body, 1068);
  const code = Array.isArray(message?.value) ? findTag(message.value as TlvNode[], 1022)?.value : undefined;
  const ofdCode = typeof code === 'number' ? code : 0;
  if (ofdCode === 0) {
    // The close-FN report's receipt ends phase 3 (fn-protocol §3.6).
    const closing = head.fdType === FD_TYPE.closeFn && core.state.phase === PHASE.postFiscal;
    core.commit(closing ? { ...core.state, phase: PHASE.archiveOnly } : core.state, { ack: { fd, time: dateTime, operatorSign: sign } });
    if (core.awaitingReceipt === fd) core.awaitingReceipt = undefined;
  }
  return encodeAnswer(FN.passOfdReceipt, { ofdCode, ...(message ? { message: encodeNode(message, core.ffd) } : {}) });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
