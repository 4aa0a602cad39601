/**
 * The one path that forms a fiscal document for a job (DESIGN.md §1), whatever the document:
 *
 *   journal "forming" {FD before, type, operation, total} → FN forms it → journal
 *   "fiscalized" {FD, FPD, shift, …} → the OFD sender is woken → the print queue
 *
 * A job is never fiscalized twice: "forming" is durable before the FN is touched; an FN
 * that refuses formed nothing ("unformed"); an FN that does not answer leaves the job
 * "forming", and reconcile.ts asks the FN archive before the job is worked again.
 */
import { FnError } from '../../drivers/fn/fn-error.ts';
import type { Fiscalized } from '../../drivers/fn/fn-documents.ts';
import { KassaError } from '../core/kassa-error.ts';
import type { Job } from '../jobs/job.ts';
import type { FiscalFields, PipelineContext } from './pipeline-context.ts';

export interface DocumentPlan<F extends Fiscalized> {
  readonly fdType: number;
  /** Receipts: what reconciliation matches in the FN archive (40h). */
  readonly operationType?: number;
  readonly totalKopecks?: number;
  /** Forms the document in the FN at `at` (register-local seconds). */
  readonly form: (at: number) => Promise<F>;
  /** The fiscal attributes of the formed document (FD and FPD are added here). */
  readonly fields: (formed: F) => Promise<Omit<FiscalFields, 'fdType' | 'fd' | 'fpd' | 'dateTime'>>;
  /**
   * The FN refused (nothing was formed): the reason to work the job again once the refusal
   * is dealt with (the job is retried), or undefined to fail it with the FN's reason.
   */
  readonly retryAfter?: (e: FnError) => Promise<string | undefined>;
  /**
   * The FN's last FD, when the caller read it (30h) in this same turn of the pipeline's queue
   * and nothing was formed since; absent, formDocument asks the FN (30h) itself.
   */
  readonly fdBefore?: number;
}

export async function formDocument<F extends Fiscalized>(ctx: PipelineContext, job: Job, at: number, plan: DocumentPlan<F>): Promise<void> {
  const { fn, ledger, clock } = ctx.deps;
  const fdBefore = plan.fdBefore ?? (await fn.status()).lastFd;
  const forming = {
    fdBefore,
    fdType: plan.fdType,
    ...(plan.operationType !== undefined ? { operationType: plan.operationType } : {}),
    ...(plan.totalKopecks !== undefined ? { totalKopecks: plan.totalKopecks } : {}),
  };
  await ledger.record({ k: 'forming', id: job.id, at: clock.now(), forming });
  let formed: F;
  try {
    formed = await plan.form(at);
  } catch (e) {
    if (!(e instanceof FnError)) throw e; // no answer: the document may exist; reconciled on retry
    await ledger.record({ k: 'unformed', id: job.id, at: clock.now() });
    const retry = await plan.retryAfter?.(e);
    if (retry !== undefined) throw new KassaError('FN_RESPONSE', retry, { cause: e });
    return ctx.refused(job, e);
  }
  const fiscal = ctx.attributes({ fdType: plan.fdType, fd: formed.fd, fpd: formed.fpd, dateTime: at, ...(await plan.fields(formed)) });
  const entry = await ledger.record({ k: 'fiscalized', id: job.id, at: clock.now(), fiscal });
  ctx.log.info(`job ${job.id}: FD ${formed.fd}${fiscal.receiptNumber !== undefined ? `, receipt ${fiscal.receiptNumber}` : ''} of shift ${fiscal.shiftNumber}, FPD ${formed.fpd}`);
  ctx.queuePrint(entry, fiscal);
}
