/**
 * Random schedules that can be replayed (DESIGN.md §4): the seed comes from KASSA_TEST_SEED
 * or is drawn, and is printed with the way to replay it; the numbers come from mulberry32.
 * A fuzz with a fixed seed written in the test uses mulberry32 directly.
 */
export interface SeededRandom {
  readonly seed: number;
  /** In [0, 1). */
  next(): number;
  /** An integer in [lo, hi). */
  between(lo: number, hi: number): number;
}

export function seededRandom(what: string): SeededRandom {
  const given = process.env['KASSA_TEST_SEED'];
  const seed = given !== undefined && given !== '' ? Number(given) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
  console.log(`${what}: random seed ${seed} (replay: KASSA_TEST_SEED=${seed})`);
  const next = mulberry32(seed);
  return { seed, next, between: (lo, hi) => lo + Math.floor(next() * (hi - lo)) };
}

/** A small deterministic PRNG: numbers in [0, 1) that replay from `seed`. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
