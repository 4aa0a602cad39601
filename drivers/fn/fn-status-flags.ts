/**
 * The FN's state bytes in words, one table each, for the driver, the emulator and the
 * firmware alike: the phase and "current document" of 30h (fn-protocol §4.1.1, Tables 8,
 * 6), the warning flags (Table 9), the OFD exchange status bits of 20h (Table 76), and the
 * 30-day OFD block (fiscal-spec §1.7).
 */

/** FN life phases (fn-protocol §3.6, Table 6): a bit mask in 30h. */
export const PHASE = { readyForRegistration: 0x01, fiscal: 0x03, postFiscal: 0x07, archiveOnly: 0x0f } as const;
export type Phase = (typeof PHASE)[keyof typeof PHASE];

/** "Current document" codes of 30h (fn-protocol Table 8; fiscal-spec §1.6). */
export const OPEN_DOCUMENT = {
  none: 0x00,
  registration: 0x01,
  openShift: 0x02,
  receipt: 0x04,
  closeShift: 0x08,
  closeFn: 0x10,
  reregistration: 0x13,
  correctionReceipt: 0x14,
  stateReport: 0x17,
} as const;
export type OpenDocumentKind = Exclude<keyof typeof OPEN_DOCUMENT, 'none'>;

/** Warning flags byte of 30h (fn-protocol Table 9; fiscal-spec §1.6). Bits 4–6 come with OFD confirmations. */
export const WARNING = {
  urgentReplacement: 0x01, // validity ends within 3 days
  resourceEnding: 0x02, // validity ends within 30 days
  archiveFull: 0x04, // archive 99% full
  ofdTimeout: 0x08, // OFD response timeout
  ofdFormatLogic: 0x10,
  ofdSetupRequested: 0x20,
  ofdCancelled: 0x40,
} as const;

/** 20h status bits (fn-protocol Table 76). */
export const OFD_STATUS = { transport: 0x01, messageWaiting: 0x02, awaitingReceipt: 0x04 } as const;

/** Days an unconfirmed document may wait before the FN blocks forming documents (fiscal-spec §1.7). */
export const OFD_BLOCK_DAYS = 30;

/** The phases in which the FN keeps documents for the OFD (fn-protocol §3.6). */
export function talksToOfd(phase: number): boolean {
  return phase === PHASE.fiscal || phase === PHASE.postFiscal;
}

/** For the technician's console and logs. */
export const FN_PHASES: Readonly<Record<number, string>> = {
  [PHASE.readyForRegistration]: 'phase 1: ready for registration',
  [PHASE.fiscal]: 'phase 2: fiscal mode',
  [PHASE.postFiscal]: 'phase 3: closed, sending the rest to the OFD',
  [PHASE.archiveOnly]: 'phase 4: archive only',
};

/** A phase by its FN_PHASES name, or its state code when the table has none: status, console, results. */
export function phaseName(phase: number): string {
  return FN_PHASES[phase] ?? `state code ${phase}`;
}

/** Table 9: bit → meaning. */
export const FN_WARNINGS: readonly { readonly bit: number; readonly text: string }[] = [
  { bit: WARNING.urgentReplacement, text: 'replace the FN urgently: validity ends within 3 days' },
  { bit: WARNING.resourceEnding, text: 'FN resource ending: validity ends within 30 days' },
  { bit: WARNING.archiveFull, text: 'FN memory 99% full' },
  { bit: WARNING.ofdTimeout, text: 'OFD answer timeout exceeded' },
  { bit: WARNING.ofdFormatLogic, text: 'the OFD reports a format-logic control failure' },
  { bit: WARNING.ofdSetupRequested, text: 'the OFD asks for the register to be set up' },
  { bit: WARNING.ofdCancelled, text: 'the OFD is cancelled' },
];

export function describeWarnings(flags: number): string[] {
  return FN_WARNINGS.filter((w) => (flags & w.bit) !== 0).map((w) => w.text);
}
