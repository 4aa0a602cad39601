/**
 * The printer emulator's real-time command splitter (real-time-commands.ts): DLE EOT and
 * DLE DC4 fn 8 are taken out of the stream wherever they fall, split across chunks or not;
 * all other bytes pass through in order.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RealTimeSplitter } from '../../drivers/printer/emulator/real-time-commands.ts';
import { CLEAR_BUFFERS } from '../../drivers/printer/printer-status.ts';

const it = suite('real-time commands');

function split(chunks: number[][]): { data: number[]; status: number[]; clears: number } {
  const status: number[] = [];
  let clears = 0;
  const s = new RealTimeSplitter({ status: (n) => status.push(n), clearBuffers: () => clears++ });
  const data: number[] = [];
  for (const c of chunks) data.push(...s.push(Uint8Array.from(c)));
  return { data, status, clears };
}

it('DLE EOT n in the middle of data is answered and removed', () => {
  assert.equal(split([[0x41, 0x10, 0x04, 0x01, 0x42]]), { data: [0x41, 0x42], status: [1], clears: 0 });
});

it('a command split across chunks, at every split point', () => {
  const bytes = [0x41, 0x10, 0x04, 0x02, ...CLEAR_BUFFERS, 0x42];
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.equal(split([bytes.slice(0, cut), bytes.slice(cut)]), { data: [0x41, 0x42], status: [2], clears: 1 }, `cut at ${cut}`);
  }
});

it('a DLE that starts no real-time command is data', () => {
  assert.equal(split([[0x10, 0x41]]).data, [0x10, 0x41]);
});

it.run();
