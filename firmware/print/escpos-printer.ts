/**
 * The ESC/POS receipt printer: a layout (receipt-layout.ts) encoded with the
 * receipt-printer-encoder library (CP866, alignment, bold, the printer's native QR command
 * GS ( k, cut) and sent through the PrinterDriver. The status (DLE EOT) is read before and
 * after each document: when the printer cannot print, print() says false and the print
 * queue keeps the document for later — it never throws the document away.
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { PrinterDriver } from '../../drivers/printer/printer-driver.ts';
import { canPrint, describeStatus } from '../../drivers/printer/printer-status.ts';
import type { Log } from '../core/log.ts';
import { layoutDocument, type Layout } from './receipt-layout.ts';
import type { PrintRequest, ReceiptPrinter } from './receipt-printer.ts';

/**
 * QR module size in dots: the FNS code (version 4–5 for ~70 characters at level M, 33–37
 * modules) at 6 dots a module on a 203 dpi head is 25–28 mm, over the 20 × 20 mm minimum
 * (FFD tag 1196).
 */
export const QR_MODULE_DOTS = 6;

export function encodeLayout(layout: Layout, columns: number): Uint8Array {
  const e = new ReceiptPrinterEncoder({ language: 'esc-pos', columns, codepageMapping: 'epson' }).initialize().codepage('cp866');
  for (const l of layout.lines) {
    e.align(l.align ?? 'left').bold(l.bold ?? false).line(l.text);
  }
  e.align('left').bold(false);
  if (layout.qr) e.newline().align('center').qrcode(layout.qr, { model: 2, size: QR_MODULE_DOTS, errorlevel: 'm' }).align('left');
  return e.newline().newline().cut().encode();
}

export interface PrintTiming {
  /** How long a document may take to come out (GS r answer), ms. */
  readonly printTimeoutMs: number;
  /** While it prints, how often to ask DLE EOT whether the printer stopped, ms. */
  readonly pollMs: number;
}

/** A 1 m receipt at a slow 50 mm/s takes 20 s; 60 s leaves room. */
export const DEFAULT_PRINT_TIMING: PrintTiming = { printTimeoutMs: 60_000, pollMs: 500 };

export class EscPosPrinter implements ReceiptPrinter {
  readonly stats = { printed: 0, refused: 0, unconfirmed: 0 };
  /** Documents laid out ahead of their turn (prepare()); dropped with the request. */
  private readonly prepared = new WeakMap<PrintRequest, Uint8Array>();
  constructor(
    private readonly deps: { readonly driver: PrinterDriver; readonly log: Log },
    /** Characters a line: 32 for 58 mm paper, 48 for 80 mm. */
    private readonly columns: number,
    private readonly timing: PrintTiming = DEFAULT_PRINT_TIMING,
  ) {}

  async print(req: PrintRequest, onWay?: () => Promise<void>): Promise<boolean> {
    let before = await this.deps.driver.status();
    // "Offline" is also what an answer looks like that came after its timeout, when the event
    // loop was busy (a start working its backlog): ask once more before the document waits.
    if (before.offline) before = await this.deps.driver.status();
    if (!canPrint(before)) {
      this.stats.refused++;
      this.deps.log.warn(`printer not ready (${describeStatus(before)}): the document waits`);
      return false;
    }
    await onWay?.();
    await this.deps.driver.write(this.prepared.get(req) ?? this.encode(req));
    const outcome = await this.deps.driver.waitPrinted(this.timing.printTimeoutMs, this.timing.pollMs);
    if (outcome.kind === 'stopped') {
      // Cut short: clear what the printer still holds and print the document again, whole,
      // when the printer is back (the queue keeps it).
      this.stats.refused++;
      this.deps.log.warn(`printer stopped during a document (${describeStatus(outcome.status)}): it will be printed again`);
      await this.deps.driver.clearBuffers().catch(() => undefined);
      return false;
    }
    if (outcome.kind === 'no-answer') {
      // Online and without a fault all along: what it received is on paper. A printer
      // without GS r lands here on every document; the log says so.
      this.stats.unconfirmed++;
      this.deps.log.warn(`no GS r answer within ${this.timing.printTimeoutMs} ms, but the printer reports no fault: counted as printed`);
    }
    this.stats.printed++;
    return true;
  }

  prepare(req: PrintRequest): void {
    if (!this.prepared.has(req)) this.prepared.set(req, this.encode(req));
  }

  private encode(req: PrintRequest): Uint8Array {
    return encodeLayout(layoutDocument(req, this.columns), this.columns);
  }

  async status(): Promise<string> {
    return describeStatus(await this.deps.driver.status());
  }

  describe(): Record<string, unknown> {
    return { kind: 'escpos', columns: this.columns, ...this.stats };
  }
}
