/** An FN rig plus the OFD emulator on loopback TCP and an OfdSender between them. */
import { OfdEmulator, type OfdEmulatorFaults } from '../../drivers/ofd/emulator/ofd-emulator.ts';
import { OfdTransport } from '../../drivers/ofd/ofd-transport.ts';
import { DEFAULT_P_VERSIONS } from '../../drivers/ofd/session-header.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { OfdSender, type DeliveryRecord } from '../../firmware/ofd/ofd-sender.ts';
import { OFD_INN } from './fiscal-fixtures.ts';
import { testLog, type FnRig, type RigClock } from './fn-rig.ts';

export interface OfdRig {
  readonly ofd: OfdEmulator;
  readonly sender: OfdSender;
  readonly deliveries: DeliveryRecord[];
  close(): Promise<void>;
}

export async function ofdRig(rig: FnRig<RigClock>, faults: Partial<OfdEmulatorFaults> = {}): Promise<OfdRig> {
  const log = testLog();
  const ofd = new OfdEmulator({ clock: rig.clock, log }, { ofdInn: OFD_INN, operatorKey: TEST_OPERATOR_KEY }, faults);
  const port = await ofd.listen(0);
  const transport = new OfdTransport({ clock: rig.clock, log, endpoint: () => ({ host: '127.0.0.1', port }) }, { connectTimeoutMs: 1000, sendTimeoutMs: 1000, receiveTimeoutMs: 500 });
  const deliveries: DeliveryRecord[] = [];
  const sender = new OfdSender(
    { fn: rig.fn, transport, clock: rig.clock, log, random: () => 0.5, exclusive: (work) => work(), record: async (r) => void deliveries.push(r) },
    { pVersion: DEFAULT_P_VERSIONS['1.2'], backoffMinMs: 20, backoffMaxMs: 200, idleCheckMs: 200, blockSize: 1024 },
  );
  return {
    ofd,
    sender,
    deliveries,
    async close() {
      await sender.stop();
      await ofd.close();
    },
  };
}
