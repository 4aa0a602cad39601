/**
 * `kassa console` arguments (issue 11 §4): the CLI's own options wherever they stand, every
 * other word for the console command; which answers make the exit code 1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { answerFailed, splitArgs } from '../../firmware/cli/console-command.ts';
import { DEFAULT_CONFIG } from '../../firmware/cli/load-config.ts';

test('options after the command are the command\'s; --config, --host, --port are the CLI\'s anywhere', () => {
  assert.equal(splitArgs(['status', '--json']), { values: { config: DEFAULT_CONFIG }, positionals: ['status', '--json'] });
  assert.equal(splitArgs(['--config', 'a.json', 'fd', '3', '--port=7000', '--host', 'h']), { values: { config: 'a.json', host: 'h', port: '7000' }, positionals: ['fd', '3'] });
  assert.throws(() => splitArgs(['status', '--port']), /--port needs a value/);
  assert.equal(splitArgs(['copy', '3', '--pin', '1234']), { values: { config: DEFAULT_CONFIG, pin: '1234' }, positionals: ['copy', '3'] }, 'the PIN is the CLI\'s, never sent as part of the command');
});

test('an error, an unknown command, a missing job or a failed job is a failure', () => {
  assert.ok(answerFailed(['error: the FD number must be a whole number ≥ 1, got "x"']));
  assert.ok(answerFailed(['unknown command "foo"']));
  assert.ok(answerFailed(['no job "x"']));
  assert.ok(answerFailed(['refused: "copy" acts on the register: "login <PIN>" first']), 'an acting command without the PIN');
  assert.ok(answerFailed(['result     fail', 'error      no_document: the FN archive has no FD 99 (fix_data)']));
  assert.not.ok(answerFailed(['result     done: copy of FD 1 printed']));
  assert.not.ok(answerFailed(['status     fail', 'type       sell']), 'a job shown by `job <id>` that failed is an answer, not a failure of the command');
});

test.run();
