/**
 * Splits the real-time commands out of the byte stream a printer receives, as a printer
 * does: DLE EOT n (status) and DLE DC4 fn 8 (clear buffers) are acted on the moment they
 * arrive, even while a document is printing or the printer is offline, and never reach the
 * print buffer (Epson ESC/POS "real-time commands"). Everything else passes through in
 * order. Pure; a command split across chunks is held until it is whole.
 */
export interface RealTimeEvents {
  readonly status: (n: number) => void;
  readonly clearBuffers: () => void;
}

const DLE = 0x10;
const EOT = 0x04;
const DC4 = 0x14;
/** DLE DC4 fn=8 m=1 d1..d7 = 03 14 01 06 02 08: the whole command is 10 bytes. */
const CLEAR_LENGTH = 10;

export class RealTimeSplitter {
  private held: number[] = [];

  constructor(private readonly events: RealTimeEvents) {}

  /** Returns the bytes for the print buffer. */
  push(chunk: Uint8Array): Uint8Array {
    const bytes = this.held.length > 0 ? Uint8Array.from([...this.held, ...chunk]) : chunk;
    this.held = [];
    const data: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] ?? 0;
      if (b !== DLE) {
        data.push(b);
        continue;
      }
      const next = bytes[i + 1];
      if (next === undefined) {
        this.held = [b];
        break;
      }
      if (next === EOT) {
        const n = bytes[i + 2];
        if (n === undefined) {
          this.held = [b, next];
          break;
        }
        this.events.status(n);
        i += 2;
      } else if (next === DC4) {
        if (i + CLEAR_LENGTH > bytes.length) {
          this.held = Array.from(bytes.subarray(i));
          break;
        }
        if (bytes[i + 2] === 0x08) this.events.clearBuffers();
        i += CLEAR_LENGTH - 1;
      } else {
        data.push(b);
      }
    }
    return Uint8Array.from(data);
  }
}
