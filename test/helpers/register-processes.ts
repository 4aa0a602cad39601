/**
 * The register as real processes, for crash tests: the FN emulator as its own process on a
 * socat pty (a real FN outlives a crash of the register), and the runtime process talking
 * to it through the real serialport binding and to a real mosquitto.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FnDevice } from '../../drivers/fn/emulator/fn-device.ts';
import type { ArchivedDocument } from '../../drivers/fn/emulator/fn-emulator-state.ts';
import { decodeTlv, findTag } from '../../firmware/fiscal/tlv-codec.ts';
import { makeRnm } from '../../firmware/fiscal/registration-numbers.ts';
import { loadFnState, startFnProcess, stopProcess } from './fn-process.ts';
import { ptyPair, type PtyPair } from './pty-pair.ts';

const NODE_ARGS = ['--import', 'tsx', 'firmware/main.ts'];
/** The built bundle (`npm run build`), as a register runs it. */
const BUNDLE_ARGS = ['dist/kassa.mjs'];

/** The FN's receipts (FD type 3) by their total (1020, kopecks): whose receipt is whose, when each job has its own total. */
export function receiptFdsByTotal(documents: readonly ArchivedDocument[]): Map<number, number[]> {
  const byTotal = new Map<number, number[]>();
  for (const d of documents) {
    if (d.fdType !== 3) continue;
    const total = findTag(decodeTlv(d.tlv), 1020)?.value as number;
    byTotal.set(total, [...(byTotal.get(total) ?? []), d.fd]);
  }
  return byTotal;
}

export interface RegisterProcesses {
  readonly configPath: string;
  readonly prefix: string;
  readonly fnStatePath: string;
  startFn(): Promise<void>;
  startRuntime(): void;
  killRuntime(signal?: NodeJS.Signals): Promise<void>;
  killFn(): Promise<void>;
  /** Every document in the FN emulator's durable state (read with the emulator stopped). */
  fnDocuments(): ArchivedDocument[];
  /** The FD numbers the FN holds an OFD receipt for (read with the emulator stopped). */
  fnAcks(): number[];
  close(): Promise<void>;
  readonly runtimeExits: number;
  /** The runtime process's id while it runs. */
  readonly runtimePid: number | undefined;
}

export async function registerProcesses(dir: string, brokerUrl: string, options: { fnDelayMs?: number; ofdPort?: number; ofdLink?: Readonly<Record<string, number>>; localApiPort?: number; runtimeEnv?: Readonly<Record<string, string>>; bundle?: boolean; nodeArgs?: readonly string[]; onRuntimeOutput?: (text: string) => void; logLevel?: 'debug' | 'info' | 'warn'; onRuntimeErrors?: (text: string) => void } = {}): Promise<RegisterProcesses> {
  mkdirSync(dir, { recursive: true });
  const pty: PtyPair = await ptyPair();
  const fnStatePath = join(dir, 'fn-state.bin');
  const configPath = join(dir, 'config.json');
  const deviceId = `crash-${process.pid}`;
  const inn = '7707083893';
  const kktSerial = '00000000381001234567';
  writeFileSync(
    configPath,
    JSON.stringify({
      version: 1,
      deviceId,
      dataDir: join(dir, 'data'),
      fn: { kind: 'serial', path: pty.a, timeoutMs: 1000, longTimeoutMs: 2000, enqRetries: 2 },
      printer: { kind: 'none' },
      ...(options.localApiPort !== undefined ? { localApi: { enabled: true, port: options.localApiPort } } : {}),
      ...(options.ofdPort !== undefined
        ? { ofd: { kind: 'tcp', host: '127.0.0.1', port: options.ofdPort }, ofdLink: options.ofdLink ?? { backoffMinMs: 20, backoffMaxMs: 300, idleCheckMs: 200, connectTimeoutMs: 500, receiveTimeoutMs: 1000 } }
        : {}),
      mqtt: { broker: { kind: 'external', url: brokerUrl }, protocolVersion: 5, reconnectMinMs: 100, reconnectMaxMs: 1000 },
      registration: { ffd: '1.2', inn, rnm: makeRnm('1', inn, kktSerial), kktSerial, address: 'г. Москва, ул. Льва Толстого, д. 16', place: 'shop.example.ru', taxSystems: ['osn', 'usn_income'], ofdInn: '7704211201', autoRegister: true },
      shift: { closeAt: null },
      log: { level: options.logLevel ?? (process.env['KASSA_TEST_LOG'] === 'debug' ? 'debug' : process.env['KASSA_TEST_LOG'] === 'info' ? 'info' : 'warn') },
    }),
  );
  const loadFn = (): FnDevice => loadFnState(fnStatePath);
  let fnProc: ChildProcess | undefined;
  let runtime: ChildProcess | undefined;
  let runtimeExits = 0;
  const stopProc = stopProcess;
  return {
    configPath,
    prefix: `kassa/${deviceId}`,
    fnStatePath,
    get runtimeExits() {
      return runtimeExits;
    },
    get runtimePid() {
      return runtime?.exitCode === null ? runtime.pid : undefined;
    },
    async startFn() {
      fnProc = await startFnProcess(pty.b, fnStatePath, options.fnDelayMs ?? 0);
    },
    startRuntime() {
      const args = [...(options.nodeArgs ?? []), ...(options.bundle ? BUNDLE_ARGS : NODE_ARGS), 'run', '--config', configPath];
      const p = spawn(process.execPath, args, { stdio: ['ignore', options.onRuntimeOutput ? 'pipe' : 'ignore', options.onRuntimeErrors ? 'pipe' : 'inherit'], env: { ...process.env, ...options.runtimeEnv } });
      const output = options.onRuntimeOutput;
      if (output) p.stdout?.on('data', (c: Buffer) => output(c.toString()));
      const errors = options.onRuntimeErrors;
      if (errors) p.stderr?.on('data', (c: Buffer) => errors(c.toString()));
      p.once('exit', () => runtimeExits++);
      runtime = p;
    },
    killRuntime: (signal = 'SIGKILL') => stopProc(runtime, signal),
    killFn: () => stopProc(fnProc, 'SIGKILL'),
    fnDocuments() {
      return [...loadFn().snapshot.documents.values()];
    },
    fnAcks() {
      return [...loadFn().snapshot.acks.keys()].sort((a, b) => a - b);
    },
    async close() {
      await stopProc(runtime, 'SIGKILL');
      await stopProc(fnProc, 'SIGKILL');
      await pty.close();
    },
  };
}
