/**
 * The document cycle shared by every document of the emulator (fn-protocol §4.3.1):
 * start → 07h… → form, with the checks each start command makes and the forming step that
 * numbers, signs and archives the document.
 */
import { concatBytes } from '../../../firmware/core/bytes.ts';
import { ffdVersionCode, type FfdVersion } from '../../../firmware/fiscal/ffd-version.ts';
import { encodeNode, encodeTlv, type TlvNode } from '../../../firmware/fiscal/tlv-codec.ts';
import { encodeLayout, type Layout } from '../fn-layout.ts';
import { isOfdBlocked, type FnDeviceCore } from './fn-device-core.ts';
import type { ArchivedDocument, FnState, OpenDocument } from './fn-emulator-state.ts';
import type { OpenDocumentKind } from '../fn-status-flags.ts';
import { fpdTag1077 } from '../../../firmware/fiscal/fpd-tag.ts';
import { fiscalSign } from './fiscal-sign.ts';
import { FnRefusal } from './fn-refusal.ts';
import { FN_CODE } from '../fn-response-codes.ts';

const KB = 1024;
/** Most 07h data one document may take, by the command that started it (fn-protocol §4.4.1, §4.4.3, §4.6.2–4.6.9). */
export const DOCUMENT_DATA_LIMIT: Readonly<Record<OpenDocumentKind, number>> = {
  registration: 6 * KB,
  reregistration: 6 * KB,
  closeFn: 4 * KB,
  openShift: 4 * KB,
  closeShift: 1 * KB,
  receipt: 30 * KB,
  correctionReceipt: 30 * KB,
  stateReport: 2 * KB,
};

/** The FN timer may disagree with the register's clock by 5 minutes between documents (fn-protocol Table 5, 17h); DATE_TIME has minutes only. */
const TIMER_TOLERANCE_S = 5 * 60 + 60;
const DAY = 86400;

/** Checks that every start command makes, then opens the document and makes it durable. */
export function startDocument(core: FnDeviceCore, doc: OpenDocument): void {
  if (core.state.document) throw new FnRefusal(FN_CODE.WRONG_STATE, `a ${core.state.document.kind} document is already open (fn-protocol Tables 57, 61, 65, 71, 73: 02h)`);
  if (core.documents.size >= core.options.archiveCapacity) throw new FnRefusal(FN_CODE.RESOURCE_LIMIT, 'the archive is full (fn-protocol Table 5: 14h)');
  core.documentData = [];
  core.documentBytes = 0;
  core.documentTags = new Set();
  core.transferred = 0;
  core.commit({ ...core.state, document: doc });
}

export function requireNoOpenDocument(core: FnDeviceCore): void {
  if (core.state.document) throw new FnRefusal(FN_CODE.WRONG_STATE, `a ${core.state.document.kind} document is open (fn-protocol Table 5: 02h)`);
}

/** 07h: time must not run backwards past the last document (fn-protocol §13 of our digest: Tables 41–73). */
export function checkNotEarlier(core: FnDeviceCore, at: number, than = core.state.lastDocumentTime): void {
  if (at < than) throw new FnRefusal(FN_CODE.BAD_DATE_TIME, `date/time ${iso(at)} is earlier than ${iso(than)} (fn-protocol Tables 41, 45, 53, 57, 61, 65, 68, 71, 73: 07h)`);
}

/** 14h: the oldest unconfirmed document has waited more than 30 days (fn-protocol Table 5, 14h). */
export function checkOfdBlock(core: FnDeviceCore, at: number): void {
  if (isOfdBlocked(core, at)) throw new FnRefusal(FN_CODE.RESOURCE_LIMIT, 'the oldest document for the OFD is more than 30 days old (fn-protocol Table 5: 14h with the OFD-timeout flag)');
}

/** 16h at 15h/17h: the shift has lasted more than 24 hours (fn-protocol Tables 65, 71). */
export function checkShiftAge(core: FnDeviceCore, at: number, code: typeof FN_CODE.SHIFT_OVER_24H | typeof FN_CODE.BAD_DATE_TIME): void {
  if (at > core.state.shift.openedAt + DAY) throw new FnRefusal(code, `the shift opened at ${iso(core.state.shift.openedAt)} has lasted more than 24 hours (fn-protocol Tables 65, 71: 16h; Table 68: 07h)`);
}

/** 17h at 15h/17h: the register's interval since the last FD differs from the FN timer's by over 5 minutes. */
export function checkTimer(core: FnDeviceCore, at: number): void {
  if (!core.options.checkTimer || core.state.lastTimerMs === 0) return;
  const registerInterval = at - core.state.lastDocumentTime;
  const timerInterval = (core.deps.clock.now() - core.state.lastTimerMs) / 1000;
  if (Math.abs(registerInterval - timerInterval) > TIMER_TOLERANCE_S) {
    throw new FnRefusal(FN_CODE.TIMER_MISMATCH, `register says ${registerInterval} s since the last FD, the FN timer ${Math.round(timerInterval)} s (fn-protocol Tables 65, 71: 17h)`);
  }
}

export function requireOpen(core: FnDeviceCore, ...kinds: OpenDocumentKind[]): OpenDocument {
  const doc = core.state.document;
  if (!doc || !kinds.includes(doc.kind)) throw new FnRefusal(FN_CODE.WRONG_STATE, `no ${kinds.join(' or ')} document is open (fn-protocol Tables 31, 41, 45, 53, 59, 63, 68, 75: 02h)`);
  return doc;
}

/** The register's 07h data of the open document, as one byte string. */
export function documentData(core: FnDeviceCore): Uint8Array {
  return concatBytes(core.documentData);
}

export interface FormRequest {
  readonly fdType: number;
  readonly time: number;
  /** Tags the FN adds from its state and the form command (not 1040/1012/1041/1077: those are common). */
  readonly formed: readonly TlvNode[];
  readonly summaryLayout: Layout;
  readonly summary: Record<string, unknown>;
  /** The new state besides numbering (shift, phase, registration…). */
  readonly next: (state: FnState, fd: number) => FnState;
  readonly forOfd?: boolean;
  /** INN and RNM of a registration being formed (the FN takes them from 03h/A3h, not from its state). */
  readonly identity?: { readonly inn: string; readonly rnm: string };
  /** FFD of a registration being formed (chosen by 02h/A2h). */
  readonly ffd?: FfdVersion;
}

/**
 * Numbers, signs and archives the open document in one durable record; returns it.
 * The stored TLV is the FN-formed tags, 1077, then the register's data, as 45h/46h return it.
 */
export function formDocument(core: FnDeviceCore, req: FormRequest): ArchivedDocument {
  const fd = core.state.lastFd + 1;
  const reg = req.identity ?? core.state.registration;
  const ffd = req.ffd ?? core.ffd;
  const common: TlvNode[] = [
    { tag: 1012, value: req.time },
    { tag: 1040, value: fd },
    { tag: 1041, value: core.state.fnNumber },
    ...(reg ? [{ tag: 1018, value: reg.inn }, { tag: 1037, value: reg.rnm }] : []),
    { tag: 1209, value: ffdVersionCode(ffd) },
  ];
  const formed = encodeTlv([...common, ...req.formed], ffd);
  const data = documentData(core);
  const fpd = fiscalSign(core.options.secret, req.fdType, concatBytes([formed, data]));
  const tlv = concatBytes([formed, encodeNode({ tag: 1077, value: fpdTag1077(fpd) }, ffd), data]);
  const document: ArchivedDocument = {
    fd,
    fdType: req.fdType,
    time: req.time,
    fpd,
    tlv,
    summary: encodeLayout(req.summaryLayout, { ...req.summary, dateTime: req.time, fd, fpd } as never),
    forOfd: req.forOfd ?? true,
  };
  const { document: _closed, ...rest } = core.state;
  const numbered: FnState = { ...rest, lastFd: fd, lastDocumentTime: req.time, lastTimerMs: core.deps.clock.now() };
  core.commit(req.next(numbered, fd), { document });
  core.documentData = [];
  core.documentBytes = 0;
  core.documentTags = new Set();
  return document;
}

function iso(localSeconds: number): string {
  return new Date(localSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
}
