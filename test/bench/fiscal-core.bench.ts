/**
 * Issue 2 figures: TLV encode+decode of a 30-item receipt (documents/s), and the FN status
 * round trip through a real pty (µs) beside the raw wire time of the same bytes at 115200
 * baud, measured in the same run. The FN emulator runs as its own process, like an FN.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { FnDriver } from '../../drivers/fn/fn-driver.ts';
import { FRAME_OVERHEAD } from '../../drivers/fn/fn-frame-codec.ts';
import { encodeLayout } from '../../drivers/fn/fn-layout.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { silentLog } from '../../firmware/core/log.ts';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import { decodeTlv, encodeTlv } from '../../firmware/fiscal/tlv-codec.ts';
import { thirtyItems } from '../helpers/fiscal-fixtures.ts';
import { ptyPair } from '../helpers/pty-pair.ts';
import { opsPerSecond, percentile, printFigures, type Figure } from './bench-kit.ts';

export async function fiscalCoreBench(): Promise<Figure[]> {
  const receipt = thirtyItems();
  const built = buildReceipt(receipt, '1.2');
  const encoded = encodeTlv(built.tlv, '1.2');
  const codec = opsPerSecond(() => decodeTlv(encodeTlv(buildReceipt(receipt, '1.2').tlv, '1.2')));
  const encodeOnly = opsPerSecond(() => encodeTlv(built.tlv, '1.2'));
  const decodeOnly = opsPerSecond(() => decodeTlv(encoded));

  const pty = await ptyPair();
  const dir = mkdtempSync(join(tmpdir(), 'kassa-bench-'));
  const emulator = spawn(process.execPath, ['--import', 'tsx', 'firmware/main.ts', 'fn-emulator', '--port', pty.b, '--state', join(dir, 'fn.bin'), '--log', 'warn'], { stdio: 'inherit' });
  const port = await openSerialPort({ path: pty.a, baudRate: 115200 });
  const driver = new FnDriver({ port, clock: systemClock(), log: silentLog() });
  driver.start();
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await driver.execute(FN.getStatus, {});
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100)); // the emulator process is still starting
      }
    }
    const samples: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = process.hrtime.bigint();
      await driver.execute(FN.getStatus, {});
      samples.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    samples.sort((a, b) => a - b);
    const answerBytes = FRAME_OVERHEAD + encodeLayout(FN.getStatus.response, { phase: 1, document: 0, documentData: 0, shiftOpen: 0, warnings: 0, lastDocumentTime: 946684800, fnNumber: '0', lastFd: 0 }).length;
    const wireUs = ((FRAME_OVERHEAD + answerBytes) * 10 * 1e6) / 115200; // 8N1: 10 bits a byte
    const p50 = percentile(samples, 50);
    const figures: Figure[] = [
      { name: 'TLV build+encode+decode, 30-item receipt', value: codec.ops, unit: 'documents/s', note: `${encoded.length} bytes of TLV` },
      { name: 'TLV encode only', value: encodeOnly.ops, unit: 'documents/s' },
      { name: 'TLV decode only', value: decodeOnly.ops, unit: 'documents/s' },
      { name: 'FN status round trip via pty, p50', value: p50, unit: 'µs', note: `${samples.length} round trips` },
      { name: 'FN status round trip via pty, p99', value: percentile(samples, 99), unit: 'µs' },
      { name: 'raw wire time of the same bytes at 115200', value: wireUs, unit: 'µs', note: `${FRAME_OVERHEAD + answerBytes} bytes, 8N1` },
      { name: 'round trip p50 / wire time', value: p50 / wireUs, unit: 'x' },
    ];
    printFigures('Fiscal core (issue 2)', figures);
    return figures;
  } finally {
    await port.close();
    emulator.kill('SIGTERM');
    await new Promise((r) => emulator.once('exit', r));
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
