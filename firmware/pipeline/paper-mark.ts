/**
 * The document on its way to paper, written down before its first byte goes to the printer.
 * The journal records "printed" only once the paper is out (print-queue.ts): a register that
 * dies while a receipt prints finds the job fiscalized and not printed, and prints it again.
 * It cannot know whether the first one came out whole, half, or not at all (an ESC/POS printer
 * keeps no record). So a document this mark names at start is printed again under "КОПИЯ"
 * (receipt-layout.ts): never a second original of one FD on paper, and the buyer still gets
 * the document when the first never came out.
 *
 * One slot, not history: the print queue prints one document at a time, and only the last
 * can have been cut off. Its own small file (not lowdb's state file, whose writes other
 * services make at the same time), written atomically and durably before each print.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-file.ts';

export interface PaperMarkRecord {
  readonly id: string;
  /** The document's FD number: a job id is the cloud's, an FD the FN's. */
  readonly fd: number;
}

export class PaperMark {
  /** What the file named when this run began: the document a stop may have cut off. */
  readonly atStart: PaperMarkRecord | undefined;

  constructor(private readonly path: string) {
    this.atStart = readMark(path);
  }

  /** True for the document that was on its way to paper when the register last stopped. */
  cutOff(id: string, fd: number): boolean {
    return this.atStart?.id === id && this.atStart.fd === fd;
  }

  /** Names `id` as on its way to paper; durable when it resolves. */
  mark(id: string, fd: number): Promise<void> {
    return writeFileAtomic(this.path, JSON.stringify({ id, fd } satisfies PaperMarkRecord));
  }

  /** Nothing on its way: the printer said the document was cut short (print-queue.ts). */
  clear(): Promise<void> {
    return writeFileAtomic(this.path, '{}');
  }
}

function readMark(path: string): PaperMarkRecord | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<PaperMarkRecord>;
    return typeof v.id === 'string' && typeof v.fd === 'number' ? { id: v.id, fd: v.fd } : undefined;
  } catch {
    return undefined; // none yet (writeFileAtomic never leaves a torn one)
  }
}
