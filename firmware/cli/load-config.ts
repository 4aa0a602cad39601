/** Reads and parses the device config file named on the command line (default: the demo), as the register resolves it. */
import { readFileSync } from 'node:fs';
import type { DeviceConfig } from '../config/device-config.ts';
import { parseRaw, resolveConfig } from '../provisioning/register-config.ts';
import { UsageError } from './cli-context.ts';

export const DEFAULT_CONFIG = 'device-config/demo.json';

export function loadConfig(path: string): DeviceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the config ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  // A provisioned register's config: factory config + identity, with the cloud's profile laid over (issue 12).
  return resolveConfig(parseRaw(text, path), path).config;
}
