/**
 * A uvu suite with a real mosquitto, a runtime (app rig) connected to it and a cloud client
 * on its topics, started before the suite's tests and stopped after them.
 */
import { suite, type Test } from 'uvu';
import { startAppRig, removeDir, type AppRig } from './app-rig.ts';
import { connectCloud, type Cloud } from './cloud.ts';
import { startMosquitto, type Mosquitto } from './mosquitto.ts';

export interface MqttSuiteContext {
  broker?: Mosquitto;
  rig?: AppRig;
  cloud?: Cloud;
}

/** `overrides` go to the runtime's config (startAppRig), e.g. another FFD or printer. */
export function mqttSuite(name: string, overrides: Record<string, unknown> = {}): Test<MqttSuiteContext> {
  const it = suite<MqttSuiteContext>(name, {});
  it.before(async (ctx) => {
    ctx.broker = await startMosquitto();
    ctx.rig = await startAppRig(ctx.broker.url, overrides);
    ctx.cloud = await connectCloud(ctx.broker.url, ctx.rig.config.mqtt.topicPrefix);
    await ctx.cloud.online();
  });
  it.after(async (ctx) => {
    await ctx.cloud?.close();
    await ctx.rig?.stop();
    await ctx.broker?.close();
    if (ctx.rig) removeDir(ctx.rig.dataDir);
  });
  return it;
}
