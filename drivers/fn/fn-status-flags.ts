/**
 * The FN's phase and warning bytes of 30h, in words (fn-protocol §4.1.1, Tables 8 and 9):
 * for the technician's console and logs.
 */
export const FN_PHASES: Readonly<Record<number, string>> = {
  0x01: 'phase 1: ready for registration',
  0x03: 'phase 2: fiscal mode',
  0x07: 'phase 3: closed, sending the rest to the OFD',
  0x0f: 'phase 4: archive only',
};

/** Table 9: bit → meaning. Bits 4–6 come with OFD confirmations. */
export const FN_WARNINGS: readonly { readonly bit: number; readonly text: string }[] = [
  { bit: 0x01, text: 'replace the FN urgently: validity ends within 3 days' },
  { bit: 0x02, text: 'FN resource ending: validity ends within 30 days' },
  { bit: 0x04, text: 'FN memory 99% full' },
  { bit: 0x08, text: 'OFD answer timeout exceeded' },
  { bit: 0x10, text: 'the OFD reports a format-logic control failure' },
  { bit: 0x20, text: 'the OFD asks for the register to be set up' },
  { bit: 0x40, text: 'the OFD is cancelled' },
];

export function describeWarnings(flags: number): string[] {
  return FN_WARNINGS.filter((w) => (flags & w.bit) !== 0).map((w) => w.text);
}
