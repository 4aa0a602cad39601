/**
 * A registration, re-registration or archive-close report on paper, as a register prints
 * it when it forms one (issue 12 §3): its heading and contents rebuilt from the FN archive
 * (45h/46h, copy-from-archive.ts) — the same layout as its copy, without "КОПИЯ" — through
 * the pipeline's print queue, after the documents already waiting. What a register prints on
 * it (user, tax systems, modes, OFD, versions, reasons) is read from the document's own tags
 * (print/registration-details.ts), so the paper shows what the FN formed, not the config.
 */
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import type { RegistrationConfig } from '../config/device-config.ts';
import type { Log } from '../core/log.ts';
import { decodeTlv } from '../fiscal/tlv-codec.ts';
import type { PrintQueue } from '../pipeline/print-queue.ts';
import { copyRequest } from '../print/copy-from-archive.ts';

export async function printFromArchive(fn: Pick<FnFace, 'readDocument'>, prints: PrintQueue, fd: number, registration: RegistrationConfig, log: Log): Promise<void> {
  const archived = await fn.readDocument(fd);
  const id = `register-report-fd${fd}-${archived.fdType}`;
  const request = copyRequest({ id, type: 'print_copy', fd }, { fdType: archived.fdType, nodes: decodeTlv(archived.tlv) }, registration);
  prints.add({
    id,
    request: { ...request, copy: false },
    notPrinted: () => log.warn(`the report FD ${fd} waits for the printer`),
    finish: async () => {},
  });
}
