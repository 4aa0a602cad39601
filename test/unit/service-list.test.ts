import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import { createLog } from '../../firmware/core/log.ts';
import { made, ServiceList, type Service } from '../../firmware/core/service.ts';

const test = suite('service list (DESIGN §3 rule 11)');

function service(name: string, events: string[], failStop = false): Service {
  return {
    name,
    start: () => void events.push(`start ${name}`),
    stop: async () => {
      events.push(`stop ${name}`);
      if (failStop) throw new Error(`${name} would not stop`);
    },
    describe: () => ({ name }),
  };
}

const quiet = createLog({ level: 'error', write: () => {} });

test('started in order, stopped in reverse, once; a failing stop does not keep the others running', async () => {
  const events: string[] = [];
  const list = new ServiceList(quiet);
  await list.start(service('a', events));
  await list.start(service('b', events, true));
  await list.start(service('c', events));
  await Promise.all([list.stop(), list.stop()]);
  await list.stop();
  assert.equal(events, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
});

test('describe() of every started service, by name, in start order', async () => {
  const list = new ServiceList(quiet);
  await list.start(service('journal', []));
  await list.start(service('fn', []));
  assert.equal(Object.keys(list.describe()), ['journal', 'fn']);
  assert.equal(list.describe()['fn'], { name: 'fn' });
});

test('nothing starts once the list is stopping', async () => {
  const events: string[] = [];
  const list = new ServiceList(quiet);
  await list.stop();
  try {
    await list.start(service('late', events));
    assert.unreachable('started after stop');
  } catch (e) {
    assert.instance(e, KassaError);
  }
  assert.equal(events, []);
});

test('a service whose start fails is stopped (what it made is let go of) and not listed', async () => {
  const events: string[] = [];
  const list = new ServiceList(quiet);
  await list.start(service('a', events));
  const broken: Service = { ...service('b', events), start: () => Promise.reject(new Error('no port')) };
  await list.start(broken).then(
    () => assert.unreachable('started'),
    (e: unknown) => assert.match(String(e), /no port/),
  );
  await list.stop();
  assert.equal(events, ['start a', 'stop b', 'stop a']);
});

test('a part made at start is an error before it', () => {
  assert.throws(() => made(undefined, 'the FN'), /the FN is used before its service started/);
  assert.is(made(3, 'x'), 3);
});

test.run();
