/**
 * The register in-process for integration tests: demo-like config (FN emulator, no printer)
 * pointed at a real mosquitto, with its own data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../../firmware/app.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import type { DeviceConfig } from '../../firmware/config/device-config.ts';
import { testLog } from './fn-rig.ts';

export interface AppRig {
  readonly app: App;
  readonly config: DeviceConfig;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export function testConfig(brokerUrl: string, dataDir: string, overrides: Record<string, unknown> = {}): DeviceConfig {
  return parseConfig(
    JSON.stringify({
      version: 1,
      deviceId: `test-${process.pid}`,
      dataDir,
      fn: { kind: 'emulator', checkTimer: false },
      printer: { kind: 'none' },
      mqtt: { broker: { kind: 'external', url: brokerUrl }, reconnectMinMs: 100, reconnectMaxMs: 1000 },
      registration: {
        ffd: '1.2',
        inn: '7707083893',
        kktSerial: '00000000381001234567',
        userName: 'ООО "Ромашка"',
        address: 'г. Москва, ул. Льва Толстого, д. 16',
        place: 'shop.example.ru',
        taxSystems: ['osn', 'usn_income'],
        ofdInn: '7704211201',
        autoRegister: true,
      },
      shift: { closeAt: null },
      ...overrides,
    }),
    'test config',
  );
}

export async function startAppRig(brokerUrl: string, overrides: Record<string, unknown> = {}, dataDir = mkdtempSync(join(tmpdir(), 'kassa-app-'))): Promise<AppRig> {
  const config = testConfig(brokerUrl, dataDir, overrides);
  const app = await startApp(config, { clock: systemClock(), log: testLog(), random: Math.random, out: () => {} });
  return {
    app,
    config,
    dataDir,
    async stop() {
      await app.stop();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
