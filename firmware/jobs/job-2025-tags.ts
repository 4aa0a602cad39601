/**
 * What a job must say for the tags mandatory since 01.09.2025 (fiscal-spec §7.3), and the
 * date its VAT rates are judged by (§7.2). Shared by the ATOL and Sberbank forms. Pure.
 *
 *   internet settlement → 1125 = 1; 1187 must be the web site (the registration's place);
 *                         the buyer contact 1008 is required (job-parties.ts buyerOf)
 *   cashless_payments   → 1234 {1235 {1082 sum, 1236 method, 1237 ids, 1238 info}…}
 */
import { isWebSite } from '../fiscal/receipt-builder.ts';
import type { CashlessPayment } from '../fiscal/receipt.ts';
import type { Problem, ValidationContext } from './job.ts';
import { moneyText, rublesToKopecks, sum, take } from './job-amounts.ts';
import { checkText } from './job-parties.ts';
import type { AtolCashlessPayment, WireJob } from './job-wire.ts';

const TIMESTAMP = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * The date of the job's document, register-local seconds: the job's `timestamp` (ATOL
 * "dd.mm.yyyy HH:MM:SS", when the cloud made it), else the register's clock when it has one.
 */
export function jobDate(job: WireJob, ctx: ValidationContext, problems: Problem[]): number | undefined {
  if (job.timestamp !== undefined) {
    const m = TIMESTAMP.exec(job.timestamp);
    const ms = m ? Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
    if (m && new Date(ms).getUTCDate() === Number(m[1]) && new Date(ms).getUTCMonth() === Number(m[2]) - 1 && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60) return ms / 1000;
    // The VAT rate of a receipt depends on its date: a timestamp that cannot be read is not guessed.
    problems.push({ path: 'timestamp', message: `"${job.timestamp}" is not a date and time dd.mm.yyyy HH:MM:SS` });
    return undefined;
  }
  return ctx.now?.();
}

/** A settlement on the internet needs the web site as the registered place of settlement (1187). */
export function internetProblems(ctx: ValidationContext, path: string): Problem[] {
  if (ctx.place !== undefined && isWebSite(ctx.place)) return [];
  return [
    {
      path,
      kind: 'unsupported',
      message: `a settlement on the internet (1125) names the web site as the place of settlement (1187); this register is registered with ${JSON.stringify(ctx.place ?? '')}: register its web site as the place`,
    },
  ];
}

/**
 * `cashless_payments` → 1235 entries. `wholeSum`: the sum when an entry gives none (a
 * Sberbank card payment pays the whole cart). Their sums may not exceed the cashless payment.
 */
export function cashlessOf(
  list: readonly AtolCashlessPayment[] | undefined,
  path: string,
  electronicKopecks: number | undefined,
  ctx: ValidationContext,
  problems: Problem[],
  wholeSum?: number,
): CashlessPayment[] {
  if (!list) return [];
  const out: CashlessPayment[] = [];
  list.forEach((c, i) => {
    const at = `${path}[${i}]`;
    const sumKopecks = c.sum !== undefined ? take(rublesToKopecks(c.sum), `${at}.sum`, problems) : wholeSum;
    if (c.sum === undefined && wholeSum === undefined) problems.push({ path: `${at}.sum`, message: 'is required' });
    if (sumKopecks === 0) problems.push({ path: `${at}.sum`, message: 'a cashless payment of 0 is no payment: leave the entry out' });
    checkText(c.id, 1237, ctx, `${at}.id`, problems);
    if (c.additional_info !== undefined) checkText(c.additional_info, 1238, ctx, `${at}.additional_info`, problems);
    if (sumKopecks !== undefined) out.push({ sumKopecks, ...(c.method !== undefined ? { method: c.method } : {}), ids: c.id, ...(c.additional_info !== undefined ? { info: c.additional_info } : {}) });
  });
  const total = sum(out.map((c) => c.sumKopecks));
  if (out.length === list.length && total > (electronicKopecks ?? 0)) {
    problems.push({ path, message: `the cashless payments add up to ${moneyText(total, 'rubles')}, more than the electronic payment of ${moneyText(electronicKopecks ?? 0, 'rubles')}` });
  }
  return out;
}
