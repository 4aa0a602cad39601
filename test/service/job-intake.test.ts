/**
 * Intake of duplicates (DESIGN.md §1 invariant 2): a job id seen again — QoS 1 redelivery, a
 * cloud retry, a restart — is answered from the ledger and never reaches the pipeline twice;
 * once the job is finished, its duplicate gets the stored final result.
 */
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { localTimeIn } from '../../firmware/core/local-time.ts';
import { JobIntake } from '../../firmware/jobs/job-intake.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { pipelineRig, VALIDATION } from '../helpers/pipeline-rig.ts';

const test = suite('job intake: duplicates (service)');

const payload = (id: string): Buffer => Buffer.from(JSON.stringify({ ...(JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as object), id }));

test('one job id three times before it is worked, then again after: one FD, one submit, the stored result', async () => {
  const rig = await pipelineRig();
  try {
    const pipeline = rig.pipeline();
    const submitted: string[] = [];
    const intake = new JobIntake(
      { ledger: rig.ledger, clock: rig.fn.clock, localTime: localTimeIn('UTC'), log: testLog(), publish: (r) => void rig.results.push(r), submit: (id) => void submitted.push(id) },
      { deviceId: 'service-test', ...VALIDATION },
    );
    const fdsBefore = rig.fds().length;
    for (let i = 0; i < 3; i++) await intake.handle(payload('dup'));
    assert.equal(submitted, ['dup'], 'submitted once');
    assert.equal(intake.stats, { received: 3, accepted: 1, rejected: 0, duplicates: 2, conflicts: 0, reports: 0 });
    assert.equal(rig.results.filter((r) => r.id === 'dup').map((r) => r.status), ['accepted', 'accepted', 'accepted']);
    for (const id of submitted) pipeline.submit(id);
    pipeline.start();
    await rig.until(() => rig.finals('dup').length > 0, 'the final result');
    const [final] = rig.finals('dup');
    assert.is(final?.status, 'done', JSON.stringify(final?.error));
    await intake.handle(payload('dup'));
    const again = rig.results.at(-1);
    assert.is(again?.status, 'done');
    assert.is(again?.payload?.fiscal_document_number, final?.payload?.fiscal_document_number, 'the stored result');
    assert.equal(submitted, ['dup'], 'still submitted once');
    assert.is(rig.fds().length, fdsBefore + 1, 'one FD');
  } finally {
    await rig.close();
  }
});

test.run();
