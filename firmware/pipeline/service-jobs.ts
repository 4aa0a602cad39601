/**
 * The paths of the jobs that are no receipt: shift reports and the settlement-state report
 * (fiscal documents, formed by document-forming.ts), the X-report (non-fiscal, printed), a
 * copy of an archived document, and "continue printing".
 */
import { FnError } from '../../drivers/fn/fn-error.ts';
import { NO_SUCH_DOCUMENT } from '../../drivers/fn/fn-response-codes.ts';
import { KassaError } from '../core/kassa-error.ts';
import { atolDateTime } from '../core/local-time.ts';
import { personTags } from '../fiscal/common-tags.ts';
import { FD_TYPE } from '../fiscal/tag-table.ts';
import { decodeTlv } from '../fiscal/tlv-codec.ts';
import type { ServiceJob } from '../jobs/job.ts';
import { copyRequest } from '../print/copy-from-archive.ts';
import { formDocument } from './document-forming.ts';
import type { PipelineContext } from './pipeline-context.ts';

/** FN answers to 45h that mean "no such document": 08h no data, 02h wrong state (fn-protocol Table 5). */

export async function serviceJob(ctx: PipelineContext, job: ServiceJob): Promise<void> {
  if (job.type === 'continue_printing') {
    const waiting = ctx.prints.length;
    ctx.prints.resume();
    // A command to the printer, not a document: answered at once, not in the queue's turn.
    return ctx.finishNow(job, { status: 'done', message: waiting > 0 ? `printing resumed: ${waiting} document(s) in the print queue` : 'nothing waits for the printer' });
  }
  if (job.type === 'print_copy') return printCopy(ctx, job);
  const cashier = personTags(job.cashier ?? ctx.options.cashier());
  const at = await ctx.readyToForm(job);
  if (at === undefined) return;
  const { shifts, fn } = ctx.deps;
  try {
    if (job.type === 'open_shift' || job.type === 'close_shift') {
      const shift = await shifts.current();
      const wanted = job.type === 'open_shift';
      if (shift.open === wanted) return ctx.finish(job, { status: 'done', message: `shift ${shift.number} is already ${wanted ? 'open' : 'closed'}` });
      return formDocument(ctx, job, at, {
        fdType: wanted ? FD_TYPE.openShift : FD_TYPE.closeShift,
        form: (when) => (wanted ? shifts.open(when, cashier) : shifts.close(when, cashier)),
        fields: async (r) => ({ shiftNumber: r.shiftNumber }),
      });
    }
    if (job.type === 'state_report') {
      return formDocument(ctx, job, at, {
        fdType: FD_TYPE.stateReport,
        form: (when) => fn.formStateReport(ctx.options.registration.ffd, when, cashier),
        fields: async (r) => ({
          shiftNumber: (await shifts.current()).number,
          unconfirmedCount: r.unconfirmedCount,
          ...(r.unconfirmedCount > 0 ? { firstUnconfirmedDate: r.firstUnconfirmedDate } : {}),
        }),
      });
    }
    return xReport(ctx, job, at);
  } catch (e) {
    if (!(e instanceof FnError)) throw e;
    return ctx.refused(job, e);
  }
}

/** x_report: non-fiscal, no FD: the shift's counters, printed. */
async function xReport(ctx: PipelineContext, job: ServiceJob, at: number): Promise<void> {
  const shift = await ctx.deps.shifts.current();
  const params = await ctx.deps.fn.shift();
  const state = `${shift.number} ${shift.open ? 'ОТКРЫТА' : 'ЗАКРЫТА'}`;
  const lines = [`СМЕНА ${state}`, `ЧЕКОВ ЗА СМЕНУ: ${params.receiptNumber}`];
  const reg = ctx.options.registration;
  const details: [string, string][] = [
    ['СМЕНА', state],
    ['ЧЕКОВ ЗА СМЕНУ', String(params.receiptNumber)],
    ['ДАТА ВРЕМЯ', atolDateTime(at).slice(0, 16)],
    ['КАССИР', ctx.cashierName(job)],
    ['РН ККТ', reg.rnm],
    ['ФН', ctx.fnNumber],
  ];
  ctx.prints.add({
    id: job.id,
    request: { job, registration: reg, title: 'X-ОТЧЕТ (НЕФИСКАЛЬНЫЙ ДОКУМЕНТ)', details },
    notPrinted: () => ctx.log.warn(`job ${job.id}: the X-report waits for the printer`),
    finish: () => ctx.finishNow(job, { status: 'done', message: lines.join('; ') }),
  });
}

/** A copy of a document, rebuilt from the FN archive (45h/46h) and marked as a copy. */
async function printCopy(ctx: PipelineContext, job: ServiceJob): Promise<void> {
  const fd = job.fd ?? (await ctx.deps.fn.status()).lastFd;
  let request;
  try {
    const archived = await ctx.deps.fn.readDocument(fd);
    request = copyRequest(job, { fdType: archived.fdType, nodes: decodeTlv(archived.tlv) }, ctx.options.registration);
  } catch (e) {
    if (e instanceof FnError && NO_SUCH_DOCUMENT.has(e.fnCode)) return ctx.fail(job, { code: 'no_document', text: `the FN archive has no FD ${fd}`, recommendation: 'fix_data', fn_code: e.fnCode });
    if (e instanceof KassaError && e.code === 'FN_PROTOCOL') return ctx.fail(job, { code: 'no_document', text: `FD ${fd}: ${e.message}`, recommendation: 'fix_device' });
    throw e;
  }
  ctx.prints.add({
    id: job.id,
    request,
    notPrinted: () => ctx.log.warn(`job ${job.id}: the copy of FD ${fd} waits for the printer`),
    finish: () => ctx.finishNow(job, { status: 'done', message: `copy of FD ${fd} printed` }),
  });
}
