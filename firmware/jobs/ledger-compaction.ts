/**
 * The ledger's compaction plan (journal/compaction.ts streams the closed segments through
 * it): decided record by record from what the ledger knows now, so that compaction reads a
 * chunk at a time instead of folding the whole history in memory (issue 9 §5).
 *
 *   a job forgotten (past journal.keepDays) .......... every record dropped
 *   a job in work ..................................... its records since it began, as they are
 *   a finished job, result in the compacted segments . one `snapshot` (result, digest, echo)
 *   a finished job, result written after the rotation  its acceptance as it is; the rest dropped
 *
 * The snapshot is written where the result record was; the acceptance it merges (a few lines
 * earlier, as a job is accepted and finished close together) waits in `pending` till then.
 * Places of moved records are handed to the ledger inside the swap (commit), only where the
 * ledger still points into the compacted segments: appends made meanwhile win.
 */
import type { CompactionPlan } from '../journal/compaction.ts';
import type { RecordPlace } from '../journal/segment-files.ts';
import type { Echo } from './job-form-kit.ts';
import type { JobLedger, LedgerEntry, LedgerRecord } from './job-ledger.ts';

type Role = 'live' | 'accepted' | 'result' | 'both';

export function ledgerCompaction(ledger: JobLedger): CompactionPlan<LedgerRecord> {
  /** Segments from this seq on are not compacted (the journal tells, after rotating). */
  let keptFrom = Infinity;
  const pending = new Map<string, { digest?: string; echo?: Echo }>();
  const roles: (Role | undefined)[] = [];
  const moves: { id: string; role: Role; place: RecordPlace }[] = [];
  let lastWritten: RecordPlace | undefined;
  const same = (a: RecordPlace | undefined, b: RecordPlace): boolean => a !== undefined && a.seq === b.seq && a.offset === b.offset;
  const keep = (r: LedgerRecord, role?: Role): LedgerRecord[] => (roles.push(role), [r]);

  return {
    start(openSeq) {
      keptFrom = openSeq;
    },
    visit(r, place) {
      const { live, livePlaces, finished } = ledger.view;
      if (live.has(r.id)) {
        const began = livePlaces.get(r.id);
        // Records of an earlier job under the same id (forgotten, then taken again) go.
        if (began && (place.seq < began.seq || (place.seq === began.seq && place.offset < began.offset))) return [];
        return keep(r, same(began, place) ? 'live' : undefined);
      }
      const done = finished.get(r.id);
      if (!done) return [];
      const isResult = same(done.result, place);
      const isAccepted = same(done.accepted, place);
      if (isResult && isAccepted) return keep(r, 'both');
      if (isAccepted) {
        if (done.result.seq >= keptFrom) return keep(r, 'accepted');
        const first: { digest?: string; echo?: Echo } = r.k === 'snapshot' ? r.entry : r.k === 'accepted' ? r : {};
        pending.set(r.id, { ...(first.digest !== undefined ? { digest: first.digest } : {}), ...(first.echo !== undefined ? { echo: first.echo } : {}) });
        return [];
      }
      if (!isResult) return [];
      const resultJson = r.k === 'snapshot' ? r.entry.resultJson : r.k === 'finished' || r.k === 'rejected' ? JSON.stringify(r.result) : undefined;
      const first = pending.get(r.id);
      pending.delete(r.id);
      // Without the acceptance in hand (it is not in these segments) the record stays as it is.
      if (resultJson === undefined || (done.accepted !== undefined && !first)) return keep(r, 'result');
      const entry: LedgerEntry = {
        id: done.id,
        acceptedAt: done.acceptedAt,
        seq: done.seq,
        status: done.failed ? 'fail' : 'done',
        ...(done.type !== undefined ? { type: done.type } : {}),
        ...first,
        ...(done.rejected ? { rejected: true } : {}),
        resultJson,
        finishedAt: done.finishedAt,
        reported: done.reported,
      };
      return keep({ k: 'snapshot', id: done.id, at: done.acceptedAt, entry }, 'both');
    },
    finish: () => [],
    placed(r, place) {
      lastWritten = place;
      const role = roles.shift();
      if (role) moves.push({ id: r.id, role, place });
    },
    commit() {
      for (const m of moves) ledger.relocate(m.id, m.role, m.place, keptFrom);
      ledger.relocateLast(lastWritten, keptFrom);
    },
  };
}
