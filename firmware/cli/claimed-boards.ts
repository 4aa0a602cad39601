/**
 * Which board claimed which KKT serial, for the cloud's claim answerer (cloud-claims.ts).
 * Every board of a batch holds the same claim certificate, so the certificate says only "a
 * board of this batch", never which one: a serial is bound to the key that claimed it first.
 * The same key may claim again (a board whose answer was lost, or a power cut while it stored
 * it: claim-client.ts keeps its key); another key for that serial is refused until an
 * operator releases it, as a re-flashed board must be. Like Azure DPS's re-provisioning
 * policy or an AWS fleet-provisioning hook, kept small: a JSON file in the cloud's folder.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../core/atomic-file.ts';

export interface ClaimedBoard {
  /** The claiming key, SPKI PEM, as the claim request carried it. */
  readonly publicKey: string;
  readonly deviceId: string;
  /** When it was first claimed, ISO 8601. */
  readonly at: string;
}

export interface ClaimedBoards {
  get(kktSerial: string): ClaimedBoard | undefined;
  /** Binds the serial to the key; durable when it returns (the file store writes it atomically). */
  remember(kktSerial: string, board: ClaimedBoard): void;
}

export function claimedInMemory(): ClaimedBoards {
  const boards = new Map<string, ClaimedBoard>();
  return { get: (s) => boards.get(s), remember: (s, b) => void boards.set(s, b) };
}

/**
 * The store of `kassa cloud claims`: `path` holds `{ "<KKT serial>": ClaimedBoard }`. An
 * operator releases a serial by deleting its entry (with the answerer stopped).
 */
export function claimedInFile(path: string): ClaimedBoards {
  let boards: Record<string, ClaimedBoard>;
  try {
    boards = JSON.parse(readFileSync(path, 'utf8')) as Record<string, ClaimedBoard>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path}: not the claimed boards' JSON: ${(e as Error).message}`);
    boards = {};
  }
  return {
    get: (s) => boards[s],
    remember(s, b) {
      boards = { ...boards, [s]: b };
      writeFileAtomicSync(path, `${JSON.stringify(boards, null, 2)}\n`);
    },
  };
}

/** The same key, whatever line breaks or spaces around it. */
export function sameKey(a: string, b: string): boolean {
  return a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}
