/** Status and service commands of the emulator (fn-protocol §4.1–4.2). */
import { ffdVersionCode } from '../../../firmware/fiscal/ffd-version.ts';
import { FN } from '../fn-commands.ts';
import { warningFlags, type FnDeviceCore, type Handler } from './fn-device-core.ts';
import { encodeAnswer, parseRequest } from './fn-device-io.ts';
import { OPEN_DOCUMENT, PHASE } from '../fn-status-flags.ts';

/** How many registration reports an FN allows in all [L] (fiscal-spec §1.7: "12 is commonly quoted"). */
export const MAX_REGISTRATIONS = 12;

/** 3Ah codes of the FFD in use (fn-protocol §4.2.5): 1 = FFD 1.0/1.05, 4 = FFD 1.2. */
const FORMAT_IN_USE = { '1.05': 1, '1.2': 4 } as const;

export function statusHandlers(core: FnDeviceCore): [number, Handler][] {
  return [
    [
      FN.getStatus.code,
      () => {
        const s = core.state;
        return encodeAnswer(FN.getStatus, {
          phase: s.phase,
          document: s.document ? OPEN_DOCUMENT[s.document.kind] : OPEN_DOCUMENT.none,
          documentData: core.documentBytes > 0 ? 1 : 0,
          shiftOpen: s.shift.open ? 1 : 0,
          warnings: warningFlags(core),
          lastDocumentTime: s.lastDocumentTime || Date.UTC(2000, 0, 1) / 1000,
          fnNumber: s.fnNumber,
          lastFd: s.lastFd,
        });
      },
    ],
    [FN.getFnNumber.code, () => encodeAnswer(FN.getFnNumber, { fnNumber: core.state.fnNumber })],
    [
      FN.getValidity.code,
      () =>
        encodeAnswer(FN.getValidity, {
          validUntil: core.state.validUntil,
          reregistrationsLeft: Math.max(0, MAX_REGISTRATIONS - core.state.registrations),
          registrationsDone: core.state.registrations,
        }),
    ],
    [FN.getFirmwareVersion.code, () => encodeAnswer(FN.getFirmwareVersion, { version: core.options.firmware.slice(0, 16), serial: 1 })],
    [FN.getLastErrors.code, () => encodeAnswer(FN.getLastErrors, { data: new Uint8Array(0) })],
    [
      FN.getFormat.code,
      () =>
        encodeAnswer(FN.getFormat, {
          ffdInUse: core.state.phase === PHASE.readyForRegistration || !core.state.registration ? 0 : FORMAT_IN_USE[core.state.registration.ffd],
          ffdMax: ffdVersionCode('1.2'),
        }),
    ],
    [
      FN.getDaysLeft.code,
      (data) => {
        // The time part is ignored and the FN's own last-operation time is not changed (fn-protocol §4.2.6).
        const { dateTime } = parseRequest(FN.getDaysLeft, data);
        const day = Math.floor(dateTime / 86400);
        return encodeAnswer(FN.getDaysLeft, { days: Math.max(0, Math.floor(core.state.validUntil / 86400) - day) });
      },
    ],
    [
      FN.getFreeResources.code,
      () =>
        encodeAnswer(FN.getFreeResources, {
          fdsLeft: Math.max(0, core.options.archiveCapacity - core.documents.size),
          freeKb30Day: 1024,
          notificationPercent: 0,
        }),
    ],
    [FN.getExecution.code, () => encodeAnswer(FN.getExecution, { execution: 'kassa-runtime FN emulator (not a certified FN)' })],
    [FN.getTransferredSize.code, () => encodeAnswer(FN.getTransferredSize, { ofdBytes: core.transferred, notificationBytes: 0 })],
    [
      FN.setBaudRate.code,
      (data) => {
        parseRequest(FN.setBaudRate, data);
        return new Uint8Array(0); // the emulated line has no speed to change
      },
    ],
  ];
}
