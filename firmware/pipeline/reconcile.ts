/**
 * Reconciliation of a job caught "forming" (DESIGN.md §1 invariant 2): the register crashed,
 * or the FN stopped answering, after the journal said "about to form" and before it said
 * "formed". The FN is the record of what was fiscalized, so ask it:
 *
 *   - a document still open in the FN was never formed: cancel it (06h);
 *   - FDs after `fdBefore` are read back (40h; 45h/46h for the numbers 40h lacks); the one
 *     of the expected type, operation and total is this job's: it is fiscalized, once;
 *   - none: the document was not formed; the job goes back to the queue.
 */
import { FnFace } from '../../drivers/fn/fn-face.ts';
import type { Clock } from '../core/clock.ts';
import { KassaError } from '../core/kassa-error.ts';
import type { Log } from '../core/log.ts';
import { decodeTlv, findTag } from '../fiscal/tlv-codec.ts';
import type { FiscalAttributes } from '../jobs/job-result.ts';
import type { JobLedger, LedgerEntry } from '../jobs/job-ledger.ts';

export interface ReconcileDeps {
  readonly fn: FnFace;
  readonly ledger: JobLedger;
  readonly log: Log;
  readonly clock: Clock;
}

type Attributes = (f: Omit<FiscalAttributes, 'fnNumber' | 'rnm' | 'ofdInn' | 'fnsSite'>) => FiscalAttributes;

/**
 * The register never writes a value it made up into a fiscalized record: a document found
 * whose shift number the FN does not give is an FN_PROTOCOL error, and the job stays
 * "forming" for the next try (DESIGN.md §1 invariant 1).
 */
export async function reconcileForming(deps: ReconcileDeps, entry: LedgerEntry, attributes: Attributes): Promise<LedgerEntry> {
  const forming = entry.forming;
  if (!forming) return entry;
  const { fn, ledger, log } = deps;
  const status = await fn.status();
  if (FnFace.hasOpenDocument(status)) {
    log.warn(`job ${entry.id}: an unfinished FN document was open: cancelling it`);
    await fn.cancelDocument();
  }
  const ffd = await fn.ffdInUse();
  if (!ffd) throw new KassaError('FN_PROTOCOL', `job ${entry.id}: the FN names no FFD in use, so its archive cannot be read`);
  for (let fd = forming.fdBefore + 1; fd <= status.lastFd; fd++) {
    const summary = await fn.findDocument(fd, ffd);
    if (summary.fdType !== forming.fdType) continue;
    if (summary.kind === 'receipt') {
      if (forming.operationType !== undefined && summary.operationType !== forming.operationType) continue;
      if (forming.totalKopecks !== undefined && summary.total !== forming.totalKopecks) continue;
    }
    const nodes = decodeTlv((await fn.readDocument(fd)).tlv);
    const num = (tag: number): number | undefined => {
      const v = findTag(nodes, tag)?.value;
      return typeof v === 'number' ? v : undefined;
    };
    const shiftNumber = num(1038) ?? (summary.kind === 'shift' ? summary.shiftNumber : undefined);
    if (shiftNumber === undefined) throw new KassaError('FN_PROTOCOL', `job ${entry.id}: FD ${fd} in the FN archive names no shift (tag 1038)`);
    const receiptNumber = num(1042);
    const fiscal = attributes({
      fdType: summary.fdType,
      fd,
      fpd: summary.fpd,
      dateTime: num(1012) ?? summary.dateTime,
      shiftNumber,
      ...(receiptNumber !== undefined ? { receiptNumber } : {}),
      ...(forming.operationType !== undefined ? { operationType: forming.operationType } : {}),
      ...(forming.totalKopecks !== undefined ? { totalKopecks: forming.totalKopecks } : {}),
    });
    log.info(`job ${entry.id}: found its document in the FN archive (FD ${fd}): fiscalized before the interruption`);
    return ledger.record({ k: 'fiscalized', id: entry.id, at: deps.clock.now(), fiscal });
  }
  log.info(`job ${entry.id}: no document of it in the FN after FD ${forming.fdBefore}: it was not formed and will be formed now`);
  return ledger.record({ k: 'unformed', id: entry.id, at: deps.clock.now() });
}
