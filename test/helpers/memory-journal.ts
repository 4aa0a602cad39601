/**
 * The job ledger's journal in memory (firmware/jobs/job-ledger.ts LedgerJournal): every
 * record kept in `records`, its place the index there, read back from it. For tests of the
 * services around the ledger; the journal itself has its own contract suite.
 */
import type { LedgerJournal, LedgerRecord } from '../../firmware/jobs/job-ledger.ts';

export function memoryJournal(records: LedgerRecord[] = []): LedgerJournal {
  return {
    append: async (r) => {
      records.push(r);
      return { seq: 1, offset: records.length - 1 };
    },
    read: async (locate) => {
      const place = locate();
      return place ? records[place.offset] : undefined;
    },
  };
}
