/**
 * The technician's PIN for the console's acting commands (issue 12 §4): stored only as a
 * salted scrypt hash (RFC 7914, node:crypto) in `security.technicianPin`, compared in
 * constant time; after `maxFailures` wrong PINs in a row every PIN — even the right one — is
 * refused for `lockMs`. The PIN itself is never logged or kept.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';

const DEFAULT_COST = { N: 16384, r: 8, p: 1 } as const;

/** `scrypt$N$r$p$<salt base64>$<hash base64>` of `pin`. */
export function hashPin(pin: string, salt: Uint8Array = randomBytes(16), cost: { N: number; r: number; p: number } = DEFAULT_COST): string {
  const hash = scryptSync(pin.normalize('NFC'), salt, 32, cost);
  return ['scrypt', cost.N, cost.r, cost.p, Buffer.from(salt).toString('base64'), hash.toString('base64')].join('$');
}

export type PinCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'wrong' | 'locked'; readonly retryInMs?: number; readonly failuresLeft?: number };

export class TechnicianPin {
  private failures = 0;
  private lockedUntil = 0;
  private readonly log: Log;
  readonly stats = { accepted: 0, wrong: 0, refusedLocked: 0, lockouts: 0 };

  constructor(
    private readonly deps: { readonly clock: Clock; readonly log: Log },
    private readonly o: { readonly hash: string; readonly maxFailures: number; readonly lockMs: number },
  ) {
    this.log = deps.log.child('pin');
    if (!/^scrypt\$\d+\$\d+\$\d+\$[^$]+\$[^$]+$/.test(o.hash)) throw new TypeError('security.technicianPin is not a scrypt$N$r$p$salt$hash string');
  }

  check(pin: string): PinCheck {
    const now = this.deps.clock.now();
    if (now < this.lockedUntil) {
      this.stats.refusedLocked++;
      return { ok: false, reason: 'locked', retryInMs: this.lockedUntil - now };
    }
    const [, n, r, p, salt, hash] = this.o.hash.split('$');
    const expected = Buffer.from(hash ?? '', 'base64');
    const got = scryptSync(pin.normalize('NFC'), Buffer.from(salt ?? '', 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
    if (timingSafeEqual(got, expected)) {
      this.failures = 0;
      this.stats.accepted++;
      return { ok: true };
    }
    this.stats.wrong++;
    this.failures++;
    if (this.failures >= this.o.maxFailures) {
      this.failures = 0;
      this.lockedUntil = now + this.o.lockMs;
      this.stats.lockouts++;
      this.log.warn(`${this.o.maxFailures} wrong technician PINs: the console refuses PINs for ${Math.round(this.o.lockMs / 1000)} s`);
      return { ok: false, reason: 'locked', retryInMs: this.o.lockMs };
    }
    this.log.warn('a wrong technician PIN');
    return { ok: false, reason: 'wrong', failuresLeft: this.o.maxFailures - this.failures };
  }

  describe(): Record<string, unknown> {
    const now = this.deps.clock.now();
    return { locked: now < this.lockedUntil, ...(now < this.lockedUntil ? { lockedForMs: this.lockedUntil - now } : {}), ...this.stats };
  }
}
