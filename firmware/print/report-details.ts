/**
 * What a report prints under its heading (fiscal-spec §4.2 "reports"): the cashier of a
 * shift or state report, and the state report's backlog — the FDs not yet confirmed by the
 * OFD (19h, tag 1097) and the date of the first (1098). One function, so a report and its
 * copy from the FN archive (copy-from-archive.ts) print the same lines.
 */
import { atolDateTime } from '../core/local-time.ts';
import { FD_TYPE } from '../fiscal/tag-table.ts';

export interface ReportFacts {
  readonly fdType: number;
  readonly cashier?: string;
  readonly unconfirmedCount?: number;
  /** Local seconds. */
  readonly firstUnconfirmedDate?: number;
}

export function reportDetails(r: ReportFacts): [string, string][] {
  const isShiftReport = r.fdType === FD_TYPE.openShift || r.fdType === FD_TYPE.closeShift;
  const isStateReport = r.fdType === FD_TYPE.stateReport;
  if (!isShiftReport && !isStateReport) return [];
  const details: [string, string][] = r.cashier !== undefined ? [['КАССИР', r.cashier]] : [];
  if (isStateReport) {
    details.push(['НЕПЕРЕДАННЫХ ФД', String(r.unconfirmedCount ?? 0)]);
    if ((r.unconfirmedCount ?? 0) > 0 && r.firstUnconfirmedDate !== undefined) details.push(['ПЕРВЫЙ НЕПЕРЕДАННЫЙ ФД ОТ', atolDateTime(r.firstUnconfirmedDate).slice(0, 10)]);
  }
  return details;
}
