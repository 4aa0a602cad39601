/**
 * What the pipeline asks of printing: print one fiscal document (or a non-fiscal report)
 * and say whether it is on paper. Printing never decides fiscal state: a document that
 * fails to print stays fiscalized (DESIGN.md §1 invariant 3).
 */
import type { Job } from '../jobs/job.ts';
import type { FiscalAttributes } from '../jobs/job-result.ts';
import type { RegistrationConfig } from '../config/device-config.ts';

export interface PrintRequest {
  readonly job: Job;
  readonly fiscal?: FiscalAttributes;
  readonly registration: RegistrationConfig;
  /** A heading instead of the document's name (the X-report, which is no fiscal document). */
  readonly title?: string;
  /** Label–value lines printed under the heading: report contents, the shift's cashier. */
  readonly details?: readonly (readonly [string, string])[];
  /** A copy from the FN archive: printed under "КОПИЯ" (copy-from-archive.ts). */
  readonly copy?: boolean;
  /**
   * The document may be on paper already (the register stopped while printing it,
   * paper-mark.ts): printed again as formed, under "КОПИЯ", never as a second original.
   */
  readonly again?: boolean;
}

export interface ReceiptPrinter {
  /**
   * Resolves true when the document is on paper, false when it could not be printed now.
   * `onWay`, when given, is called and awaited once the printer is ready and before its first
   * byte goes out (paper-mark.ts): a printer that refuses before printing never calls it, and
   * one whose repeat is no second original on paper (no printer, the console, text files)
   * need not. False after it was called: the printer itself says the document did not come
   * out whole (cut short), and the queue takes the mark back.
   */
  print(request: PrintRequest, onWay?: () => Promise<void>): Promise<boolean>;
  /**
   * Optional: lay out and encode a document that will be printed next, while the paper of
   * the one before it moves, so the printer does not stand still between documents.
   */
  prepare?(request: PrintRequest): void;
  /** The printer's state in words, read now ("ready", "paperOut, offline", …): for the console. */
  status(): Promise<string>;
  describe(): Record<string, unknown>;
}
