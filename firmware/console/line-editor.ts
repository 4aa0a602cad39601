/**
 * The console's line discipline, as a serial terminal expects it: the register echoes what
 * is typed, Backspace/DEL erase a character, Enter (CR, LF or CR LF) ends a line, Ctrl-C
 * drops the line, Ctrl-U clears it; escape sequences (arrow keys) and telnet negotiation
 * are ignored; a line longer than the limit rings the bell instead of growing. Pure: bytes
 * in, echo bytes and finished lines out. Text is UTF-8.
 *
 * The technician's PIN is a secret (issue 12 §4): after "login " every character is echoed
 * as "*", so the PIN never shows on a terminal, a screen share or a captured session.
 */
export interface LineEvents {
  /** Bytes to send back to the terminal (echo, erase, bell). */
  readonly echo: (bytes: Uint8Array) => void;
  readonly line: (text: string) => void;
  /** Ctrl-C. */
  readonly cancel: () => void;
}

const BS = 0x08;
const DEL = 0x7f;
const CR = 0x0d;
const LF = 0x0a;
const ETX = 0x03; // Ctrl-C
const NAK = 0x15; // Ctrl-U
const ESC = 0x1b;
const IAC = 0xff; // telnet "interpret as command"
const BELL = Uint8Array.of(0x07);
const ERASE = Uint8Array.of(BS, 0x20, BS);
const STAR = 0x2a;
/** A line that carries a secret from here on: `login <PIN>`. */
const SECRET_AFTER = /^\s*login\s/;

/** The echo of a typed line as the terminal shows it: the PIN of `login` as stars. */
export function echoOf(line: string): string {
  const secret = SECRET_AFTER.exec(line);
  return secret ? secret[0] + '*'.repeat([...line.slice(secret[0].length)].length) : line;
}

export class LineEditor {
  private bytes: number[] = [];
  /** CR ended the last line: a LF right after it is the same Enter. */
  private afterCr = false;
  /** Bytes still to skip of an escape or telnet sequence. */
  private skip: 'none' | 'esc' | 'csi' | 'iac' | 'iac-option' = 'none';

  constructor(
    private readonly events: LineEvents,
    private readonly maxBytes = 256,
  ) {}

  push(chunk: Uint8Array): void {
    const echo: number[] = [];
    const flush = (): void => {
      if (echo.length > 0) this.events.echo(Uint8Array.from(echo.splice(0)));
    };
    for (const b of chunk) {
      if (this.skipping(b)) continue;
      const afterCr = this.afterCr;
      this.afterCr = false;
      if (b === CR || b === LF) {
        if (b === LF && afterCr) continue;
        this.afterCr = b === CR;
        echo.push(CR, LF);
        flush();
        this.events.line(Buffer.from(this.bytes.splice(0)).toString('utf8'));
      } else if (b === BS || b === DEL) {
        if (this.bytes.length === 0) continue;
        // One character, however many UTF-8 bytes it took.
        while ((this.bytes.pop() ?? 0) >> 6 === 0b10 && this.bytes.length > 0);
        echo.push(...ERASE);
      } else if (b === ETX) {
        this.bytes = [];
        echo.push(0x5e, 0x43, CR, LF); // "^C"
        flush();
        this.events.cancel();
      } else if (b === NAK) {
        const chars = Buffer.from(this.bytes).toString('utf8').length;
        this.bytes = [];
        for (let i = 0; i < chars; i++) echo.push(...ERASE);
      } else if (b === ESC) {
        this.skip = 'esc';
      } else if (b === IAC) {
        this.skip = 'iac';
      } else if (b >= 0x20) {
        if (this.bytes.length >= this.maxBytes) {
          echo.push(...BELL);
          continue;
        }
        const secret = SECRET_AFTER.test(Buffer.from(this.bytes).toString('utf8'));
        this.bytes.push(b);
        // A secret shows one star per character: on its lead byte, none on continuation bytes.
        if (!secret) echo.push(b);
        else if (b >> 6 !== 0b10) echo.push(STAR);
      }
    }
    flush();
  }

  /** Escape sequences: ESC x, or ESC [ params final (ECMA-48 §5.4); telnet: IAC cmd [option]. */
  private skipping(b: number): boolean {
    switch (this.skip) {
      case 'none':
        return false;
      case 'esc':
        this.skip = b === 0x5b ? 'csi' : 'none';
        return true;
      case 'csi':
        if (b >= 0x40 && b <= 0x7e) this.skip = 'none';
        return true;
      case 'iac':
        // WILL, WONT, DO, DONT (251–254) carry an option byte; other commands stand alone.
        this.skip = b >= 251 && b <= 254 ? 'iac-option' : 'none';
        return true;
      case 'iac-option':
        this.skip = 'none';
        return true;
    }
  }
}
