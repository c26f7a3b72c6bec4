/**
 * Host-side checks before booting: the tools each scenario needs, the built
 * guest runner, and whether the Falcon modes can run (module + SDK built).
 */
import * as fs from 'fs';
import * as path from 'path';
import { builtModule } from '../testbed/kernel';
import { UsageError } from './args';
import { mode as modeSpec } from './modes';
import { scenario } from './scenarios';
import { ModeId, ScenarioId } from './types';

/** Finds an executable on PATH or in the sbin dirs (the guest's root has them on its PATH). */
export function onPath(cmd: string, envPath: string = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`): boolean {
  for (const dir of envPath.split(':')) {
    if (dir === '') continue;
    try {
      fs.accessSync(path.join(dir, cmd), fs.constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

/** Tools the guest runs (from the host's userland) for these scenarios. */
export function requiredTools(scenarios: readonly ScenarioId[], gro: boolean): string[] {
  const tools = new Set(['ip', 'ss', 'taskset']);
  for (const s of scenarios) for (const t of scenario(s).tools) tools.add(t);
  if (gro) tools.add('ethtool');
  return [...tools];
}

/** Refuses up front when a tool is missing, naming the setup command. */
export function checkTools(scenarios: readonly ScenarioId[], gro: boolean, has: (cmd: string) => boolean = onPath): void {
  const missing = requiredTools(scenarios, gro).filter((t) => !has(t));
  if (missing.length > 0) throw new UsageError(`missing tools: ${missing.join(', ')} (run 'npm run setup')`);
}

/** Refuses the cache scenario when its load generator (tools/memcache-load) is not built. */
export function checkLoadgen(scenarios: readonly ScenarioId[], root: string): void {
  if (!scenarios.includes('cache')) return;
  const bin = path.join(root, 'tools', 'memcache-load', 'build', 'memcache-load');
  if (!fs.existsSync(bin)) throw new UsageError(`${bin} is not built (run 'npm run build', or 'make -C tools/memcache-load')`);
}

/** Why the Falcon modes cannot run from this build, or undefined when they can. */
export function falconUnavailable(root: string, kernelVersion: string): string | undefined {
  if (!fs.existsSync(builtModule(root, kernelVersion))) return `falcon.ko is not built for ${kernelVersion} (run 'npm run build')`;
  if (!fs.existsSync(path.join(root, 'dist', 'src', 'index.js'))) return "the SDK (dist/src/index.js) is not built yet";
  return undefined;
}

/**
 * Modes that cannot run, with the reason. Falcon modes asked for explicitly
 * (--modes) are refused instead of being marked pending.
 */
export function pendingModes(modes: readonly ModeId[], explicit: boolean, falconReason: string | undefined): Partial<Record<ModeId, string>> {
  const pending: Partial<Record<ModeId, string>> = {};
  if (falconReason === undefined) return pending;
  const falconModes = modes.filter((m) => modeSpec(m).falcon);
  if (falconModes.length > 0 && explicit) throw new UsageError(`mode ${falconModes.join(', ')} cannot run: ${falconReason}`);
  for (const m of falconModes) pending[m] = falconReason;
  return pending;
}
