/**
 * The console's line discipline (line-editor.ts): what a serial terminal or `nc` sends —
 * CR, LF or CR LF for Enter, Backspace or DEL, Ctrl-C, Ctrl-U, arrow keys, telnet
 * negotiation — becomes the lines the technician meant, with the echo a terminal expects.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { echoOf, LineEditor } from '../../firmware/console/line-editor.ts';

const it = suite('console line editor');

function type(...chunks: (string | number[])[]): { lines: string[]; echo: string; cancels: number } {
  const lines: string[] = [];
  const echo: number[] = [];
  let cancels = 0;
  const editor = new LineEditor({ echo: (b) => echo.push(...b), line: (l) => lines.push(l), cancel: () => cancels++ }, 16);
  for (const c of chunks) editor.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : Uint8Array.from(c));
  return { lines, echo: Buffer.from(echo).toString('latin1'), cancels };
}

it('Enter as CR, LF or CR LF ends one line each time', () => {
  assert.equal(type('status\r', 'fn\n', 'fd 3\r\n', 'jobs\r', '\n').lines, ['status', 'fn', 'fd 3', 'jobs']);
  assert.equal(type('\r\r').lines, ['', ''], 'two Enters are two (empty) lines');
});

it('what is typed is echoed, Enter as CR LF', () => {
  assert.is(type('fn\r').echo, 'fn\r\n');
});

it('Backspace and DEL erase one character, Cyrillic included', () => {
  assert.equal(type('fdd', [0x08], ' 3\r').lines, ['fd 3']);
  assert.equal(type('jobx', [0x7f], 's\r').lines, ['jobs']);
  assert.equal(type('Ёж', [0x7f], '\r').lines, ['Ё'], 'a two-byte character goes whole');
  assert.equal(type([0x08, 0x08], 'fn\r').lines, ['fn'], 'nothing to erase: nothing happens');
  assert.is(type('ab', [0x08]).echo, 'ab\b \b');
});

it('Ctrl-C drops the line; Ctrl-U clears it', () => {
  const c = type('close-shift', [0x03], 'status\r');
  assert.equal(c.lines, ['status']);
  assert.is(c.cancels, 1);
  assert.equal(type('garbage', [0x15], 'fn\r').lines, ['fn']);
});

it('arrow keys and telnet negotiation are ignored', () => {
  assert.equal(type('f', [0x1b, 0x5b, 0x41], [0x1b, 0x5b, 0x31, 0x3b, 0x35, 0x44], 'n\r').lines, ['fn'], 'ESC [ A and ESC [ 1 ; 5 D');
  assert.equal(type([0xff, 0xfb, 0x01, 0xff, 0xf1], 'fn\r').lines, ['fn'], 'IAC WILL ECHO, IAC NOP');
  assert.equal(type('f', [0x1b], [0x5b], [0x42], 'n\r').lines, ['fn'], 'a sequence split across chunks');
});

it('a line longer than the limit rings the bell instead of growing', () => {
  const t = type(`${'x'.repeat(20)}\r`);
  assert.equal(t.lines, ['x'.repeat(16)]);
  assert.is(t.echo, `${'x'.repeat(16)}${'\x07'.repeat(4)}\r\n`);
});

it('the PIN after "login" is echoed as stars, one per character; the line itself is whole', () => {
  const t = type('login 24Ё8\r');
  assert.equal(t.lines, ['login 24Ё8']);
  assert.is(t.echo, 'login ****\r\n');
  assert.is(echoOf('login 24Ё8'), 'login ****', 'what the client expects as the echo');
  assert.is(type('login 12', [0x7f], '3\r').echo, 'login **\b \b*\r\n', 'erasing a star');
  assert.is(echoOf('status'), 'status', 'other lines echo as typed');
  assert.is(type('logins\r').echo, 'logins\r\n', 'only "login" followed by a space hides what follows');
});

it.run();
