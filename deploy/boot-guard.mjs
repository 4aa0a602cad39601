#!/usr/bin/env node
/**
 * Runs before every start of kassa.service (ExecStartPre=), outside the program slots, so that a
 * new release that cannot even load is still undone (issue 14 §2). Dependency-free on purpose.
 *
 *   node boot-guard.mjs <dataDir> <programDir>        (the unit: /var/lib/kassa /opt/kassa)
 *
 * It reads <dataDir>/update/state.json (firmware/update/update-state.ts documents it). In phase
 * "trial" it counts this start; past `maxStarts` starts without the new version confirming, it
 * points <programDir>/current back at the previous slot and records phase "rolled_back", which the
 * previous version reports. If the switch never happened (a power cut between writing "trial" and
 * renaming the link), it puts the phase back to "staged". Anything else it leaves alone.
 * It always exits 0: the guard must never be the reason the register does not start.
 */
import { closeSync, fsyncSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function syncDir(dir) {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAtomic(path, text) {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  syncDir(join(path, '..'));
}

function pointCurrentAt(programDir, slot) {
  const link = join(programDir, 'current');
  rmSync(`${link}.new`, { force: true });
  symlinkSync(`slots/${slot}`, `${link}.new`);
  renameSync(`${link}.new`, link);
  syncDir(programDir);
}

function guard(dataDir, programDir) {
  const statePath = join(dataDir, 'update', 'state.json');
  let state;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch {
    return 'no update under way';
  }
  let current;
  try {
    current = readlinkSync(join(programDir, 'current'));
  } catch {
    current = undefined;
  }
  const { order, from, to } = state;
  if (state.phase === 'rolled_back' && current !== `slots/${from}`) {
    pointCurrentAt(programDir, from); // the power went between recording the roll-back and doing it
    return `update ${order.id}: rolled back to slot ${from}`;
  }
  if (state.phase !== 'trial') return `update ${order?.id}: ${state.phase}`;
  if (current !== `slots/${to}`) {
    writeAtomic(statePath, `${JSON.stringify({ phase: 'staged', order, from, to }, null, 2)}\n`);
    return `update ${order.id}: the switch to slot ${to} did not happen; staged again`;
  }
  const starts = state.starts + 1;
  if (starts <= state.maxStarts) {
    writeAtomic(statePath, `${JSON.stringify({ ...state, starts }, null, 2)}\n`);
    return `update ${order.id}: start ${starts} of at most ${state.maxStarts} of version ${order.version} in slot ${to}`;
  }
  const failure = { reason: 'crashed', message: `version ${order.version} did not confirm it was healthy in ${state.maxStarts} starts; slot ${from} is back` };
  // The state first, then the link: a power cut between them is finished by the branch above.
  writeAtomic(statePath, `${JSON.stringify({ phase: 'rolled_back', order, from, to, failure }, null, 2)}\n`);
  pointCurrentAt(programDir, from);
  return `update ${order.id}: ${failure.message}`;
}

const [dataDir, programDir] = process.argv.slice(2);
try {
  if (!dataDir || !programDir) throw new Error('usage: boot-guard.mjs <dataDir> <programDir>');
  console.log(`kassa boot guard: ${guard(dataDir, programDir)}`);
} catch (e) {
  console.error(`kassa boot guard: ${e instanceof Error ? e.message : String(e)} (starting anyway)`);
}
