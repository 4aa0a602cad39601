/**
 * ESC/POS real-time status (DLE EOT n, Epson ESC/POS reference "DLE EOT"): the printer
 * answers one byte per request. The bits the register acts on, in one table.
 */
export const DLE = 0x10;
export const EOT = 0x04;

/** GS r 1: transmit the paper sensor status, after everything received before it is processed. */
export const TRANSMIT_PAPER_STATUS = Uint8Array.of(0x1d, 0x72, 0x01);
/** GS r 1 answer: bits 0–1 near end (paper end never shows: the printer is offline then). */
export const PAPER_STATUS_NEAR_END = 0x03;
/** DLE DC4 fn 8 (clear buffers): 10 14 08 01 03 14 01 06 02 08; the printer answers 37 25 00. */
export const CLEAR_BUFFERS = Uint8Array.of(0x10, 0x14, 0x08, 0x01, 0x03, 0x14, 0x01, 0x06, 0x02, 0x08);

/** Bit 4 is fixed 1 in every DLE EOT answer and fixed 0 in GS r answers. */
export function isRealTimeAnswer(byte: number): boolean {
  return (byte & 0x10) !== 0;
}

/** The requests and, per request, the bits that mean trouble. */
export const STATUS_REQUESTS = [
  { n: 1, name: 'printer', bits: [{ mask: 0x08, flag: 'offline' }] },
  { n: 2, name: 'offline cause', bits: [{ mask: 0x04, flag: 'coverOpen' }, { mask: 0x20, flag: 'paperOut' }] },
  { n: 4, name: 'paper sensor', bits: [{ mask: 0x0c, flag: 'paperNearEnd' }, { mask: 0x60, flag: 'paperOut' }] },
] as const;

export type StatusFlag = 'offline' | 'coverOpen' | 'paperOut' | 'paperNearEnd';
export type PrinterStatus = Readonly<Record<StatusFlag, boolean>>;

export const READY: PrinterStatus = { offline: false, coverOpen: false, paperOut: false, paperNearEnd: false };

/** Folds the answers to DLE EOT 1, 2, 4 (bit 1 is always 1 and bit 4 always 1 in each byte). */
export function decodeStatus(answers: Readonly<Record<number, number>>): PrinterStatus {
  const status: Record<StatusFlag, boolean> = { ...READY };
  for (const req of STATUS_REQUESTS) {
    const byte = answers[req.n] ?? 0;
    for (const bit of req.bits) if ((byte & bit.mask) !== 0) status[bit.flag] = true;
  }
  return status;
}

/** The byte a printer answers to DLE EOT n for a status (the emulator's side of the table). */
export function encodeStatus(n: number, status: PrinterStatus): number {
  let byte = 0x12; // fixed bits 1 and 4
  const req = STATUS_REQUESTS.find((r) => r.n === n);
  for (const bit of req?.bits ?? []) if (status[bit.flag]) byte |= bit.mask;
  return byte;
}

/** True when a document can be printed now (near end still prints). */
export function canPrint(status: PrinterStatus): boolean {
  return !status.offline && !status.coverOpen && !status.paperOut;
}

export function describeStatus(status: PrinterStatus): string {
  const bad = (Object.keys(status) as StatusFlag[]).filter((k) => status[k]);
  return bad.length === 0 ? 'ready' : bad.join(', ');
}
