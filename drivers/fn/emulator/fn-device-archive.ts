/**
 * Archive reads of the emulator (fn-protocol §4.8): 40h the fixed struct of an FD, 41h its
 * OFD receipt, 42h the unconfirmed count, 43h/44h/47h the registration, 45h/46h the whole
 * document as TLV including the FN-formed tags.
 */
import { FN } from '../fn-commands.ts';
import type { FnDeviceCore, Handler } from './fn-device-core.ts';
import { EMPTY, encodeAnswer, parseRequest } from './fn-device-io.ts';
import type { ArchivedDocument } from './fn-emulator-state.ts';
import { FnRefusal } from './fn-refusal.ts';
import { FN_CODE } from '../fn-response-codes.ts';

/** 44h with this tag prepares "read all" through 47h (fn-protocol §4.8, Table 108). */
const READ_ALL = 0xffff;

export function archiveHandlers(core: FnDeviceCore): [number, Handler][] {
  const find = (fd: number): ArchivedDocument => {
    const doc = core.documents.get(fd);
    if (!doc) throw new FnRefusal(FN_CODE.NO_DATA, `no FD ${fd} (fn-protocol Tables 93, 113: 08h)`);
    return doc;
  };
  const registrationDoc = (): ArchivedDocument => {
    const fd = core.state.registration?.fd;
    if (fd === undefined) throw new FnRefusal(FN_CODE.NO_DATA, 'the FN is not registered (fn-protocol Tables 104, 107, 117: 08h)');
    return find(fd);
  };
  let registrationCursor: { tlv: Uint8Array; offset: number } | undefined;
  return [
    [
      FN.findDocument.code,
      (data) => {
        const doc = find(parseRequest(FN.findDocument, data).fd);
        return encodeAnswer(FN.findDocument, { docType: doc.fdType, ofdReceived: core.acks.has(doc.fd) ? 1 : 0, data: doc.summary });
      },
    ],
    [
      FN.getOfdReceipt.code,
      (data) => {
        const { fd } = parseRequest(FN.getOfdReceipt, data);
        const ack = core.acks.get(fd);
        if (!ack) throw new FnRefusal(FN_CODE.NO_DATA, `no OFD receipt for FD ${fd} (fn-protocol Table 96: 08h)`);
        return encodeAnswer(FN.getOfdReceipt, { dateTime: ack.time, operatorSign: ack.operatorSign, fd });
      },
    ],
    [FN.getUnconfirmedCount.code, () => encodeAnswer(FN.getUnconfirmedCount, { count: Math.min(core.unconfirmedCount(), 0xffff) })],
    [
      FN.getRegistrationTotals.code,
      (data) => {
        parseRequest(FN.getRegistrationTotals, data);
        return encodeAnswer(FN.getRegistrationTotals, { data: registrationDoc().summary });
      },
    ],
    [
      FN.getRegistrationTlv.code,
      (data) => {
        const { tag } = parseRequest(FN.getRegistrationTlv, data);
        const doc = registrationDoc();
        if (tag === READ_ALL) {
          registrationCursor = { tlv: doc.tlv, offset: 0 };
          return EMPTY;
        }
        for (let at = 0; at < doc.tlv.length; ) {
          const t = readTlvAt(doc.tlv, at);
          if (tag === ((t[0] ?? 0) | ((t[1] ?? 0) << 8))) return encodeAnswer(FN.getRegistrationTlv, { tlv: t });
          at += t.length;
        }
        throw new FnRefusal(FN_CODE.NO_DATA, `tag ${tag} is not in the registration (fn-protocol Table 107: 08h)`);
      },
    ],
    [
      FN.getDocumentTlv.code,
      (data) => {
        const doc = find(parseRequest(FN.getDocumentTlv, data).fd);
        core.archiveCursor = { tlv: doc.tlv, offset: 0 };
        return encodeAnswer(FN.getDocumentTlv, { docType: doc.fdType, length: doc.tlv.length });
      },
    ],
    [
      FN.readDocumentTlv.code,
      () => {
        const cursor = core.archiveCursor;
        if (!cursor) throw new FnRefusal(FN_CODE.WRONG_STATE, 'send 45h first (fn-protocol Table 115: 02h)');
        return encodeAnswer(FN.readDocumentTlv, { tlv: next(cursor) });
      },
    ],
    [
      FN.readRegistrationTlv.code,
      () => {
        if (!registrationCursor) throw new FnRefusal(FN_CODE.NO_DATA, 'send 44h with FFFFh first (fn-protocol Table 117: 08h)');
        return encodeAnswer(FN.readRegistrationTlv, { tlv: next(registrationCursor) });
      },
    ],
  ];
}

/** One top-level TLV per call; 08h when all were read (fn-protocol §4.8.9). */
function next(cursor: { tlv: Uint8Array; offset: number }): Uint8Array {
  if (cursor.offset >= cursor.tlv.length) throw new FnRefusal(FN_CODE.NO_DATA, 'all TLVs were read (fn-protocol Tables 115, 117: 08h)');
  const t = readTlvAt(cursor.tlv, cursor.offset);
  cursor.offset += t.length;
  return t;
}

function readTlvAt(tlv: Uint8Array, at: number): Uint8Array {
  const length = (tlv[at + 2] ?? 0) | ((tlv[at + 3] ?? 0) << 8);
  return tlv.subarray(at, at + 4 + length);
}
