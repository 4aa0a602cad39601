/** A refusal inside the FN emulator: becomes an answer with this code (and data), never a crash. */
export class FnRefusal extends Error {
  constructor(
    readonly fnCode: number,
    message: string,
    readonly data: Uint8Array = new Uint8Array(0),
  ) {
    super(message);
    this.name = 'FnRefusal';
  }
}

/** Refusal whose answer data is the offending tag as Uint16 LE (0Bh, 0Ch, 3Ch). */
export function refuseTag(fnCode: number, tag: number, message: string): FnRefusal {
  return new FnRefusal(fnCode, message, Uint8Array.of(tag & 0xff, tag >> 8));
}
