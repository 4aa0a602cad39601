/**
 * The one error base of the project (DESIGN.md §3 rule 5): a closed union of codes,
 * `cause` chaining, and subclasses per layer that carry the device's own status.
 */
export type KassaErrorCode =
  | 'FN_RESPONSE' // the FN answered with a non-zero response code
  | 'FN_TIMEOUT' // no (valid) answer within the command's timeout, even after ENQ
  | 'FN_PROTOCOL' // an answer that cannot be decoded (wrong length, wrong layout)
  | 'FN_PORT' // the byte stream to the FN failed or closed
  | 'TLV_ENCODE' // a value that the FFD type of its tag cannot carry
  | 'TLV_DECODE' // bytes that are not a well-formed TLV
  | 'DOCUMENT_INVALID' // a document that breaks an FFD rule before it reaches the FN
  | 'CONFIG' // device configuration that does not parse
  | 'OFD' // an exchange with the OFD failed (drivers/ofd/ofd-error.ts says how)
  | 'PRINTER' // the printer's line failed
  | 'SERIAL_LINE' // a configured serial line (FN, printer, console) cannot be opened
  | 'JOURNAL' // the durable journal cannot be read or written; after a failed write it refuses appends
  | 'EMULATOR_STATE' // the FN emulator's persisted state cannot be read
  | 'UPDATE' // a firmware update refused or failed (firmware/update/update-error.ts says why)
  | 'OFD_BACKLOG' // the fiscal archive cannot close while documents wait for the OFD
  | 'LIFECYCLE'; // a service used before it started, or started while the register stops

export class KassaError extends Error {
  readonly code: KassaErrorCode;
  constructor(code: KassaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A bad value met while encoding or decoding TLV; `path` names the tag chain (e.g. `3/1059[2]/1023`). */
export class TlvError extends KassaError {
  readonly path: string;
  constructor(code: 'TLV_ENCODE' | 'TLV_DECODE', path: string, message: string, options?: { cause?: unknown }) {
    super(code, `${path}: ${message}`, options);
    this.path = path;
  }
}

/** A document that the FFD rules refuse; every problem listed with the path of its field. */
export class DocumentInvalid extends KassaError {
  readonly problems: ReadonlyArray<{ path: string; message: string }>;
  constructor(problems: ReadonlyArray<{ path: string; message: string }>) {
    super('DOCUMENT_INVALID', problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    this.problems = problems;
  }
}

/** The message of anything thrown: an Error's message, else the value as text. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
