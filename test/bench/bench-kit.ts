/** Tiny helpers for the benchmarks: timing, percentiles and a printed table. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}

export function printFigures(title: string, figures: readonly Figure[]): void {
  console.log(`\n## ${title}`);
  const width = Math.max(...figures.map((f) => f.name.length));
  for (const f of figures) {
    const v = Math.abs(f.value) >= 100 ? f.value.toFixed(0) : f.value.toPrecision(3);
    console.log(`  ${f.name.padEnd(width)}  ${v.padStart(12)} ${f.unit}${f.note ? `  (${f.note})` : ''}`);
  }
}

/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 1000): { ops: number; runs: number } {
  for (let i = 0; i < 50; i++) fn();
  let runs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    fn();
    runs++;
    if ((runs & 15) === 0) now = performance.now();
  }
  now = performance.now();
  return { ops: (runs * 1000) / (now - start), runs };
}
