/**
 * `npm run bench`: every benchmark in one run, figures and ratios printed (DESIGN.md §4).
 * `npm run bench -- jobs` runs the ones whose name contains "jobs".
 */
import { bundleBench } from './bundle.bench.ts';
import { fiscalCoreBench } from './fiscal-core.bench.ts';
import { finishedJobsBench } from './finished-jobs-memory.ts';
import { jobsBench } from './jobs.bench.ts';
import { journalBench } from './journal.bench.ts';
import { ofdBench } from './ofd.bench.ts';
import { printingBench } from './printing.bench.ts';
import { localApiBench } from './local-api.bench.ts';
import { releaseBench } from './release.bench.ts';

const BENCHES: readonly { name: string; run: () => Promise<unknown> }[] = [
  { name: 'fiscal-core', run: fiscalCoreBench },
  { name: 'journal', run: journalBench },
  { name: 'jobs', run: jobsBench },
  { name: 'finished-jobs', run: finishedJobsBench },
  { name: 'ofd', run: ofdBench },
  { name: 'printing', run: printingBench },
  { name: 'release', run: releaseBench },
  { name: 'local-api', run: localApiBench },
  { name: 'bundle', run: bundleBench },
];

const filter = process.argv[2];
console.log(`kassa-runtime benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const b of BENCHES) {
  if (filter && !b.name.includes(filter)) continue;
  await b.run();
}
