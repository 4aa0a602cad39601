/**
 * Registration and closing of the FN (fn-protocol §4.4, §4.5): 02h/03h on the FFD 1.05
 * path, A2h/A3h on the FFD 1.2 path, 04h/05h to close. Registration moves the FN from
 * phase 1 to 2 (03h), closing from 2 to 3, or straight to 4 in autonomous mode (§3.6).
 */
import { decodeTlv, findTag, type TlvNode } from '../../../firmware/fiscal/tlv-codec.ts';
import { isValidRnm } from '../../../firmware/fiscal/registration-numbers.ts';
import { ffdVersionCode, type FfdVersion } from '../../../firmware/fiscal/ffd-version.ts';
import { FD_TYPE } from '../../../firmware/fiscal/tag-table.ts';
import { archiveSummaryLayout, CLOSE_FN_SUMMARY } from '../fn-archive-layouts.ts';
import { FN } from '../fn-commands.ts';
import type { FnDeviceCore, Handler } from './fn-device-core.ts';
import { EMPTY, encodeAnswer, parseRequest } from './fn-device-io.ts';
import type { Registration } from './fn-emulator-state.ts';
import { PHASE } from '../fn-status-flags.ts';
import { checkNotEarlier, documentData, formDocument, requireOpen, startDocument } from './fn-document-forming.ts';
import { FnRefusal } from './fn-refusal.ts';
import { MAX_REGISTRATIONS } from './fn-device-status.ts';
import { FN_CODE } from '../fn-response-codes.ts';

/** Work-mode bits (fn-protocol Table 37/38) → the tags the FN forms from them. */
const MODE_TAGS_BOTH: readonly [bit: number, tag: number][] = [
  [0, 1056], // encryption
  [1, 1002], // autonomous
  [2, 1001], // automatic
];
/** FFD 1.05 (Table 37): services, BSO, internet as tags of their own. */
const MODE_TAGS_105: readonly [bit: number, tag: number][] = [
  [3, 1109],
  [4, 1110],
  [5, 1108],
];
/** FFD 1.2 (Table 38): work-mode bits 3–7 become bits of 1290. */
const MODE_TO_1290: readonly [bit: number, bit1290: number][] = [
  [3, 9],
  [4, 2],
  [5, 5],
  [6, 15],
  [7, 16],
];
/** FFD 1.2 (Table 51): extended flags → bits of 1290. */
const EXTENDED_TO_1290: readonly [bit: number, bit1290: number][] = [
  [0, 6],
  [1, 10],
  [2, 11],
  [3, 1],
  [4, 8],
  [5, 12],
  [6, 13],
  [7, 14],
];
const AUTONOMOUS_BIT = 0x02;

export function registrationHandlers(core: FnDeviceCore): [number, Handler][] {
  return [
    [FN.startRegistration.code, (data) => startRegistration(core, parseRequest(FN.startRegistration, data).reportType ?? 0, '1.05')],
    [
      FN.startRegistration12.code,
      (data) => {
        const { reportType, ffdVersion } = parseRequest(FN.startRegistration12, data);
        // Only FFD 1.2 (code 4) is emulated; FFD 1.1 (3) is out of the project's scope.
        if (ffdVersion !== ffdVersionCode('1.2')) throw new FnRefusal(FN_CODE.NOT_ALLOWED_IN_MODE, `FFD version ${ffdVersion} is not emulated (4 = FFD 1.2) (fn-protocol Table 47: 0Ah)`);
        return startRegistration(core, reportType, '1.2');
      },
    ],
    [
      FN.formRegistration.code,
      (data) => {
        const r = parseRequest(FN.formRegistration, data);
        const doc = requireOpen(core, 'registration', 'reregistration');
        if (doc.ffd !== '1.05') throw new FnRefusal(FN_CODE.NOT_ALLOWED_IN_MODE, 'the registration was started with A2h: finish it with A3h (fn-protocol Table 41: 0Ah)');
        const ofdInn = tlvString(core, 1017) ?? '000000000000';
        return formRegistration(core, { ...r, extendedFlags: 0, ofdInn, reason: r.reason }, '1.05');
      },
    ],
    [
      FN.formRegistration12.code,
      (data) => {
        const r = parseRequest(FN.formRegistration12, data);
        const doc = requireOpen(core, 'registration', 'reregistration');
        if (doc.ffd !== '1.2') throw new FnRefusal(FN_CODE.NOT_ALLOWED_IN_MODE, 'the registration was started with 02h: finish it with 03h (fn-protocol Table 53: 0Ah)');
        return formRegistration(core, { ...r, reason: r.reasonCodes }, '1.2');
      },
    ],
    [
      FN.startCloseFn.code,
      () => {
        core.requirePhase(PHASE.fiscal);
        if (core.state.shift.open) throw new FnRefusal(FN_CODE.WRONG_STATE, 'close the shift first (fn-protocol Table 42: 02h)');
        const autonomous = ((core.state.registration?.workMode ?? 0) & AUTONOMOUS_BIT) !== 0;
        if (!autonomous && core.unconfirmedCount() > 0) throw new FnRefusal(FN_CODE.BAD_PARAMETER_VALUE, 'documents remain unsent to the OFD (fn-protocol Table 42: 09h)');
        startDocument(core, { kind: 'closeFn', startedAt: core.state.lastDocumentTime });
        return EMPTY;
      },
    ],
    [
      FN.closeFn.code,
      (data) => {
        const { dateTime, rnm } = parseRequest(FN.closeFn, data);
        requireOpen(core, 'closeFn');
        const reg = core.state.registration;
        if (!reg) throw new FnRefusal(FN_CODE.WRONG_STATE, 'the FN is not registered (fn-protocol Table 45: 02h)');
        checkNotEarlier(core, dateTime);
        if (rnm !== reg.rnm) throw new FnRefusal(FN_CODE.BAD_PARAMETER_VALUE, `RNM ${rnm} is not the registered ${reg.rnm} (fn-protocol Table 5: 09h, a parameter value is wrong; Table 45 names no code for it)`);
        const autonomous = (reg.workMode & AUTONOMOUS_BIT) !== 0;
        const formed = formDocument(core, {
          fdType: FD_TYPE.closeFn,
          time: dateTime,
          formed: [{ tag: 1038, value: core.state.shift.number }],
          summaryLayout: CLOSE_FN_SUMMARY,
          summary: { inn: reg.inn, rnm: reg.rnm },
          next: (s) => ({ ...s, phase: autonomous ? PHASE.archiveOnly : PHASE.postFiscal }),
        });
        return encodeAnswer(FN.closeFn, { fd: formed.fd, fpd: formed.fpd });
      },
    ],
  ];
}

function startRegistration(core: FnDeviceCore, reportType: number, ffd: FfdVersion): Uint8Array {
  if (reportType > 2) throw new FnRefusal(FN_CODE.UNKNOWN_COMMAND, `report type ${reportType} is not 0..2 (fn-protocol Tables 32, 46; Table 4: 01h)`);
  // Types 0/1 in phase 1, type 2 (change of parameters) in phase 2 (fn-protocol §3.6, §4.4.1).
  core.requirePhase(reportType === 2 ? PHASE.fiscal : PHASE.readyForRegistration);
  if (reportType === 2 && core.state.shift.open) throw new FnRefusal(FN_CODE.WRONG_STATE, 'close the shift before re-registration (fn-protocol Tables 33, 47: 02h)');
  // A2h may answer 0Ah (Table 47); 02h answers only 02h (Table 33).
  if (reportType === 2 && core.state.registration?.ffd !== ffd) throw new FnRefusal(ffd === '1.2' ? FN_CODE.NOT_ALLOWED_IN_MODE : FN_CODE.WRONG_STATE, `the FN works in FFD ${core.state.registration?.ffd} (fn-protocol Tables 33, 47)`);
  if (core.state.registrations >= MAX_REGISTRATIONS) throw new FnRefusal(FN_CODE.LIFETIME_EXCEEDED, 'no registration reports left (fn-protocol Tables 41, 53: 05h)');
  startDocument(core, { kind: reportType === 0 ? 'registration' : 'reregistration', startedAt: 0, reportType, ffd });
  return EMPTY;
}

/** What 03h/A3h carry: the registration the FN keeps, its date, and a re-registration reason. */
type RegistrationRequest = Omit<Registration, 'ffd' | 'fd'> & { readonly dateTime: number; readonly reason: number | undefined };

function formRegistration(core: FnDeviceCore, r: RegistrationRequest, ffd: FfdVersion): Uint8Array {
  const doc = requireOpen(core, 'registration', 'reregistration');
  const type = doc.reportType ?? 0;
  checkNotEarlier(core, r.dateTime);
  if (!/^\d{16}$/.test(r.rnm)) throw new FnRefusal(FN_CODE.BAD_PARAMETER_VALUE, `RNM "${r.rnm}" is not 16 digits (fn-protocol Tables 41, 53: 09h)`);
  const serial = tlvString(core, 1013);
  if (serial !== undefined && !isValidRnm(r.rnm, r.inn, serial)) throw new FnRefusal(FN_CODE.BAD_PARAMETER_VALUE, `RNM ${r.rnm} fails its check digits for INN ${r.inn} and serial ${serial} (fn-protocol Tables 41, 53: 09h)`);
  if (type === 2 && r.reason === undefined) throw new FnRefusal(FN_CODE.UNKNOWN_COMMAND, 're-registration needs a reason code (fn-protocol Tables 34, 48; Table 4: 01h)');
  if (type === 1 && core.state.registration && (core.state.registration.inn !== r.inn || core.state.registration.rnm !== r.rnm)) {
    throw new FnRefusal(FN_CODE.BAD_PARAMETER_VALUE, 'an FN replacement keeps the INN and RNM of the registration (fn-protocol Tables 41, 53: 09h)');
  }
  const fdType = type === 0 ? FD_TYPE.registration : FD_TYPE.reregistration;
  const formed = formDocument(core, {
    fdType,
    time: r.dateTime,
    formed: registrationTags(r, ffd, type),
    summaryLayout: archiveSummaryLayout(fdType, ffd) ?? [],
    summary: { ...r, reasonCodes: r.reason ?? 0 },
    identity: { inn: r.inn, rnm: r.rnm },
    ffd,
    next: (s, fd) => {
      const registration: Registration = { ffd, inn: r.inn, rnm: r.rnm, taxSystems: r.taxSystems, workMode: r.workMode, extendedFlags: r.extendedFlags, ofdInn: r.ofdInn, fd };
      return { ...s, registration, registrations: s.registrations + 1, phase: PHASE.fiscal };
    },
  });
  return encodeAnswer(FN.formRegistration, { fd: formed.fd, fpd: formed.fpd });
}

function registrationTags(r: RegistrationRequest, ffd: FfdVersion, type: number): TlvNode[] {
  const bit = (byte: number, n: number): number => (byte >> n) & 1;
  const nodes: TlvNode[] = [{ tag: 1062, value: r.taxSystems }, ...MODE_TAGS_BOTH.map(([b, tag]) => ({ tag, value: bit(r.workMode, b) }))];
  if (ffd === '1.05') {
    nodes.push(...MODE_TAGS_105.map(([b, tag]) => ({ tag, value: bit(r.workMode, b) })));
    // 1221 (printer in an automatic device) is FN-formed in this mode (§5.3); 03h carries no
    // extended flags (Table 50 is A3h's), so the FN states 0.
    nodes.push({ tag: 1221, value: 0 });
    if (type === 2 && r.reason !== undefined) nodes.push({ tag: 1101, value: r.reason });
  } else {
    let usage = 0;
    for (const [b, to] of MODE_TO_1290) usage |= bit(r.workMode, b) << to;
    for (const [b, to] of EXTENDED_TO_1290) usage |= bit(r.extendedFlags, b) << to;
    nodes.push({ tag: 1017, value: r.ofdInn }, { tag: 1290, value: usage >>> 0 }, { tag: 1190, value: ffdVersionCode(ffd) });
    if (type !== 0 && r.reason !== undefined) nodes.push({ tag: 1205, value: r.reason });
  }
  return nodes;
}

/** A string tag from the open document's 07h data, if the register sent it. */
function tlvString(core: FnDeviceCore, tag: number): string | undefined {
  const node = findTag(decodeTlv(documentData(core)), tag);
  return typeof node?.value === 'string' ? node.value : undefined;
}
