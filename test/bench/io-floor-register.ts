/**
 * The register's I/O with its work taken out: a process that does, per job, the I/O the real
 * register does in the window of the bench's "CPU per job" figure, through the same drivers
 * and libraries, and nothing else (issue 9 §5). Its CPU per job is what that I/O costs through
 * today's stack (mqtt.js, firmware/journal/, drivers/fn/): the part of the register's figure
 * that no change to validation, documents, results or the ledger's folding can remove. It is
 * not the floor of the I/O itself: a leaner stack does the same I/O, with the same guarantees,
 * for about half of it (measured by hand: the closing note of issue 9, session 8).
 *
 * Per job, in the register's order (firmware/jobs/job-intake.ts, firmware/pipeline/):
 *   - the MQTT message, acknowledged (PUBACK) once the first record is durable, as
 *     mqtt-link.ts does through mqtt.js's handleMessage;
 *   - `records` journal appends through firmware/journal/journal.ts, each awaited but the last
 *     (the ledger's `reported` record, which nothing waits for), and the two before it
 *     ("printed" and "finished") appended in one turn, as the print queue does;
 *   - `fnCommands` FN commands through drivers/fn/fn-driver.ts on the real serial binding
 *     (drivers/serial-port.ts, as fn-wiring.ts opens it): FN status (30h), whose short request
 *     and 30-byte answer make this figure a little lower than with a receipt's commands;
 *   - `results` QoS 1 publishes, the last one awaited (its PUBACK) before the last append.
 * Records are the ledger's smallest ({k, id, at}); what the real register encodes into
 * them, and everything else it computes, is what this figure leaves out. mqtt.js is set up as
 * mqtt-link.ts sets it up (its trace off, no write cache, TCP_NODELAY).
 *
 * Run by bundle.bench.ts as `node <the unit's flags> --import tsx io-floor-register.ts <json>`;
 * prints "ready" once subscribed.
 */
import mqtt from 'mqtt';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { FnDriver } from '../../drivers/fn/fn-driver.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { silentLog } from '../../firmware/core/log.ts';
import { Journal } from '../../firmware/journal/journal.ts';

export interface IoFloorOptions {
  readonly fnPath: string;
  readonly journalDir: string;
  readonly brokerUrl: string;
  readonly jobsTopic: string;
  readonly resultsTopic: string;
  /** Per job; each at least 1 (records, results). */
  readonly fnCommands: number;
  readonly records: number;
  readonly results: number;
}

async function main(o: IoFloorOptions): Promise<void> {
  if (o.records < 1 || o.results < 1) throw new Error('io-floor-register: records and results must be at least 1');
  const log = silentLog();
  const clock = systemClock();
  const port = await openSerialPort({ path: o.fnPath, baudRate: 115200, drain: false });
  // The FN line's settings of the bench's register (test/helpers/register-processes.ts).
  const fn = new FnDriver({ port, clock, log }, { timeoutMs: 1000, longTimeoutMs: 2000, enqRetries: 2 });
  fn.start();
  const journal = new Journal<{ k: string; id: string; at: number }>({ log }, { dir: o.journalDir });
  await journal.open();
  const append = (k: string, id: string): Promise<unknown> => journal.append({ k, id, at: clock.now() });
  const publish = (id: string, status: string): Promise<unknown> => client.publishAsync(o.resultsTopic, JSON.stringify({ id, status }), { qos: 1 });

  // One job at a time after its intake, as the pipeline's queue works them.
  let work: Promise<void> = Promise.resolve();
  const pipeline = async (id: string): Promise<void> => {
    let appended = 1;
    let published = o.results > 1 ? 1 : 0;
    if (appended < o.records - 1) {
      await append('forming', id);
      appended++;
    }
    if (published < o.results - 1) {
      void publish(id, 'in_progress');
      published++;
    }
    for (let i = 0; i < o.fnCommands; i++) await fn.execute(FN.getStatus, {});
    // The last two before `reported` are the print queue's "printed" and "finished", appended
    // in one turn and so written together (print-queue.ts); any before them one at a time.
    const paired = o.records - 1 - appended >= 2 ? 2 : 0;
    for (; appended < o.records - 1 - paired; appended++) await append('fiscalized', id);
    if (paired > 0) {
      await Promise.all([append('printed', id), append('finished', id)]);
      appended += paired;
    }
    for (; published < o.results - 1; published++) void publish(id, 'in_progress');
    if (published < o.results) await publish(id, 'done');
    if (appended < o.records) void append('reported', id);
  };

  const client = mqtt.connect(o.brokerUrl, { clientId: `io-floor-${process.pid}`, clean: false, protocolVersion: 5, reconnectPeriod: 0, writeCache: false, log: () => {}, properties: { sessionExpiryInterval: 3600 } });
  client.handleMessage = (packet, done) => {
    const payload = typeof packet.payload === 'string' ? packet.payload : packet.payload.toString('utf8');
    const { id } = JSON.parse(payload) as { id: string };
    append('accepted', id).then(
      () => {
        done();
        if (o.results > 1) void publish(id, 'accepted');
        work = work.then(() => pipeline(id));
      },
      (e: unknown) => done(e as Error),
    );
  };
  client.on('connect', () => {
    (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    client.subscribe(o.jobsTopic, { qos: 1 }, (err) => {
      if (err) throw err;
      console.log('ready');
    });
  });
}

await main(JSON.parse(process.argv[2] ?? '{}') as IoFloorOptions);
