/**
 * `kassa send-job` takes job files and the fixtures of test/fixtures/real/ alike (issue 11 §3:
 * a new user sends each fixture to the demo register): a fixture's job is sent, and its
 * expected final status is what the command compares the result with.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { jobOfFile } from '../../firmware/cli/send-job-command.ts';

const it = suite('send-job: job files and fixtures');
it('a fixture gives its job and its expected status; a job file is the job', () => {
  const job = { version: 1, id: 'a', type: 'x_report' };
  assert.equal(jobOfFile({ job, expect: { status: 'fail', code: 'invalid_job' } }), { job, expected: 'fail' });
  assert.equal(jobOfFile(job), { job });
  assert.equal(jobOfFile({ job: 'not an object', expect: { status: 'done' } }), { job: { job: 'not an object', expect: { status: 'done' } } }, 'not a fixture: sent as it is, the register judges it');
});
it('every fixture of test/fixtures/real unwraps to a job with an id or an external_id', () => {
  for (const name of readdirSync('test/fixtures/real').filter((f) => f.endsWith('.json'))) {
    const { job, expected } = jobOfFile(JSON.parse(readFileSync(`test/fixtures/real/${name}`, 'utf8')) as unknown);
    assert.ok(expected === 'done' || expected === 'fail', name);
    const id = job['id'] ?? (job['atol_request'] as { external_id?: unknown } | undefined)?.external_id;
    assert.type(id, 'string', name);
  }
});
it.run();
