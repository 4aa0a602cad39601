/** Plain-text printers: the layout of each document to the console or to a file per document. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { layoutDocument } from './receipt-layout.ts';
import type { PrintRequest, ReceiptPrinter } from './receipt-printer.ts';

/** The console and file printers: 42 characters, a width that reads well in a terminal and a text editor (no paper to fit). */
const COLUMNS = 42;

export function textReceipt(req: PrintRequest): string {
  const layout = layoutDocument(req, COLUMNS);
  return [...layout.lines.map((l) => (l.align === 'center' ? l.text.padStart(Math.floor((COLUMNS + l.text.length) / 2)) : l.text)), ...(layout.qr ? [`[QR ${layout.qr}]`] : [])].join('\n');
}

export function consolePrinter(write: (text: string) => void): ReceiptPrinter {
  return {
    // No onWay: a receipt written again to the console or to its file (by FD number) is no
    // second original on paper, and a КОПИЯ would overwrite the file of the original.
    async print(req) {
      write(`\n${textReceipt(req)}\n`);
      return true;
    },
    status: async () => 'ready (text to the console)',
    describe: () => ({ kind: 'console' }),
  };
}

export function filePrinter(dir: string): ReceiptPrinter {
  return {
    async print(req) {
      await mkdir(dir, { recursive: true });
      const name = req.fiscal ? `fd-${String(req.fiscal.fd).padStart(6, '0')}.txt` : `${req.job.type}-${req.job.id}.txt`;
      await writeFile(join(dir, name), `${textReceipt(req)}\n`);
      return true;
    },
    status: async () => `ready (text files in ${dir})`,
    describe: () => ({ kind: 'file', dir }),
  };
}

export function noPrinter(): ReceiptPrinter {
  return { print: async () => true, status: async () => 'no printer configured', describe: () => ({ kind: 'none' }) };
}
