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
import { FN } from '../../drivers/fn/fn-commands.ts';
import type { FnDriver } from '../../drivers/fn/fn-driver.ts';
import { archiveSummaryLayout } from '../../drivers/fn/fn-archive-layouts.ts';
import { decodeLayout } from '../../drivers/fn/fn-layout.ts';
import { readArchivedTlv } from '../../drivers/fn/fn-procedures.ts';
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import { decodeTlv, findTag } from '../fiscal/tlv-codec.ts';
import type { FiscalAttributes } from '../jobs/job-result.ts';
import type { JobLedger, LedgerEntry } from '../jobs/job-ledger.ts';

export interface ReconcileDeps {
  readonly fn: FnDriver;
  readonly ledger: JobLedger;
  readonly log: Log;
  readonly clock: Clock;
}

type Attributes = (f: Omit<FiscalAttributes, 'fnNumber' | 'rnm' | 'ofdInn' | 'fnsSite'>) => FiscalAttributes;

export async function reconcileForming(deps: ReconcileDeps, entry: LedgerEntry, attributes: Attributes): Promise<LedgerEntry> {
  const forming = entry.forming;
  if (!forming) return entry;
  const { fn, ledger, log } = deps;
  const status = (await fn.execute(FN.getStatus, {})).value;
  if (status.document !== 0) {
    log.warn(`job ${entry.id}: an unfinished FN document was open: cancelling it`);
    await fn.execute(FN.cancelDocument, {});
  }
  const ffd = (await fn.execute(FN.getFormat, {})).value.ffdInUse === 4 ? '1.2' : '1.05';
  for (let fd = forming.fdBefore + 1; fd <= status.lastFd; fd++) {
    const found = (await fn.execute(FN.findDocument, { fd })).value;
    if (found.docType !== forming.fdType) continue;
    const layout = archiveSummaryLayout(found.docType, ffd);
    const summary = layout ? (decodeLayout(layout, found.data) as Record<string, number>) : {};
    if (forming.operationType !== undefined && summary['operationType'] !== forming.operationType) continue;
    if (forming.totalKopecks !== undefined && summary['total'] !== forming.totalKopecks) continue;
    const nodes = decodeTlv((await readArchivedTlv(fn, fd)).tlv);
    const num = (tag: number): number | undefined => {
      const v = findTag(nodes, tag)?.value;
      return typeof v === 'number' ? v : undefined;
    };
    const receiptNumber = num(1042);
    const fiscal = attributes({
      fdType: found.docType,
      fd,
      fpd: summary['fpd'] ?? 0,
      dateTime: num(1012) ?? summary['dateTime'] ?? 0,
      shiftNumber: num(1038) ?? summary['shiftNumber'] ?? 0,
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
