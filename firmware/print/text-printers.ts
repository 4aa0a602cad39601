/** The demo's printers: the text of each document to the console or to a file per document. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReceiptPrinter } from './receipt-printer.ts';
import { textReceipt } from './text-receipt.ts';

export function consolePrinter(write: (text: string) => void): ReceiptPrinter {
  return {
    async print(req) {
      write(`\n${textReceipt(req)}\n`);
      return true;
    },
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
    describe: () => ({ kind: 'file', dir }),
  };
}

export function noPrinter(): ReceiptPrinter {
  return { print: async () => true, describe: () => ({ kind: 'none' }) };
}
