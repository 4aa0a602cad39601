/**
 * What `kassa run` does before the register starts (issue 12 §1): read the config; a
 * factory config without an identity claims one first (claim-client.ts), reading the FN's
 * number and phase for the claim; then the config the register runs with (register-config.ts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FnDriver, DEFAULT_FN_DRIVER_OPTIONS } from '../../drivers/fn/fn-driver.ts';
import { FnFace } from '../../drivers/fn/fn-face.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import type { FnConfig } from '../config/device-config.ts';
import { ConfigError } from '../config/parse-config.ts';
import type { Clock } from '../core/clock.ts';
import { NO_CRASH, type CrashAt } from '../core/crash-point.ts';
import type { Log, LogLevel } from '../core/log.ts';
import { claimIdentity, type ClaimAnswer } from './claim-client.ts';
import { IdentityStore, type Identity } from './identity-store.ts';
import { overlayProfile, ProfileStore, profileKeyProblems } from './profile-store.ts';
import { checkFactoryConfig, dataDirOf, identityConfig, isFactoryConfig, parseRaw, resolveConfig, type ResolvedConfig } from './register-config.ts';
import { parseConfig } from '../config/parse-config.ts';

export interface RegisterStartDeps {
  readonly clock: Clock;
  /** A log at the level the (factory) config names. */
  readonly log: (level: LogLevel) => Log;
  readonly firmware: string;
  readonly signal?: AbortSignal;
  /** Fault tests' power cuts (KASSA_CRASH_AT). */
  readonly crashAt?: CrashAt;
}

/** Reads the config at `path`, claiming an identity first when it is a factory config of an unprovisioned board. */
export async function loadRegisterConfig(path: string, deps: RegisterStartDeps): Promise<ResolvedConfig> {
  const raw = parseRaw(readFileSync(path, 'utf8'), path);
  if (isFactoryConfig(raw)) {
    const factory = checkFactoryConfig(raw, path);
    const identity = new IdentityStore(dataDirOf(raw));
    if (!identity.load()) {
      const log = deps.log(factory.log.level);
      log.info(`${path} is a factory config and this board has no identity: claiming one from ${factory.claim.url}`);
      const fn = await probeFn(factory.fn, factory.dataDir, deps.clock, log);
      const check = (a: ClaimAnswer, id: Identity): string[] => {
        const problems = profileKeyProblems(a.profile).map((p) => `${p.path}: ${p.message}`);
        if (problems.length > 0) return problems;
        try {
          parseConfig(JSON.stringify(overlayProfile(identityConfig(raw, id, identity), a.profile)), 'claimed profile');
          return [];
        } catch (e) {
          return e instanceof ConfigError ? e.problems.map((p) => `${p.path}: ${p.message}`) : [String(e)];
        }
      };
      await claimIdentity(factory.claim, factory.security.cloudPublicKey, { kktSerial: factory.claim.kktSerial, fnNumber: fn.fnNumber, fnPhase: fn.phase, firmware: deps.firmware }, {
        log,
        clock: deps.clock,
        identity,
        profiles: new ProfileStore(factory.dataDir),
        check,
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.crashAt ? { crashAt: deps.crashAt } : {}),
      });
      (deps.crashAt ?? NO_CRASH)('claim.identity-saved');
    }
  }
  return resolveConfig(raw, path);
}

/** The FN's number and phase for the claim: from the emulator's state, or asked of the real FN (30h). */
async function probeFn(fn: FnConfig, dataDir: string, clock: Clock, log: Log): Promise<{ fnNumber: string; phase: number }> {
  if (fn.kind === 'emulator') {
    // The emulator's code only for a board whose config says emulator (in the bundle its modules are initialised only here).
    const [{ FnDevice }, { fileStateStore }] = await Promise.all([import('../../drivers/fn/emulator/fn-device.ts'), import('../../drivers/fn/emulator/fn-state-store.ts')]);
    mkdirSync(dataDir, { recursive: true });
    const store = fileStateStore(join(dataDir, 'fn-emulator.bin'));
    try {
      const device = new FnDevice({ store, clock, log }, { fnNumber: fn.fnNumber, secret: fn.secret, operatorKey: TEST_OPERATOR_KEY });
      device.boot();
      return { fnNumber: device.snapshot.state.fnNumber, phase: device.snapshot.state.phase };
    } finally {
      store.close();
    }
  }
  const port = await openSerialPort({ path: fn.path, baudRate: fn.baudRate, role: 'the FN (fn.path)' });
  const driver = new FnDriver({ port, clock, log }, { ...DEFAULT_FN_DRIVER_OPTIONS, timeoutMs: fn.timeoutMs, longTimeoutMs: fn.longTimeoutMs, enqRetries: fn.enqRetries });
  driver.start();
  try {
    // This is wiring: the driver is built here, and spoken to only through the face.
    const s = await new FnFace(driver).status();
    return { fnNumber: s.fnNumber, phase: s.phase };
  } finally {
    driver.stop();
    await port.close();
  }
}
