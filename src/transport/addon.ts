// Loading a native addon (a target of binding.gyp) through `bindings`, with
// an error that says what is missing and what to install. The package ships
// linux-x64 builds in out/Release/ and compiles at install only as a
// fallback that may fail (scripts/native-addon.js), so "missing" is a state
// a user can reach with a working install: the message must get them out.
import bindings from 'bindings';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What building (and running) one addon takes. */
export interface AddonNeeds {
  /** Debian packages that compile it, e.g. 'build-essential python3'. */
  readonly build: string;
  /** Debian packages it needs at run time beyond libc/libstdc++, e.g. 'libbpf1'. */
  readonly run?: string;
  /** What works without it, e.g. 'the mock backend'. */
  readonly without?: string;
}

/** The addon could not be loaded; `message` says why and what to install. */
export class AddonLoadError extends Error {
  override readonly name = 'AddonLoadError';
  /** 'missing': no .node file anywhere `bindings` looks; 'unloadable': one was found but did not load. */
  readonly reason: 'missing' | 'unloadable';

  constructor(
    readonly target: string,
    reason: 'missing' | 'unloadable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.reason = reason;
  }
}

/** The package root: the directory of dist/ (dist/src/transport/ -> three up). */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');

function packageName(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name?: string }).name ?? 'falcon-overlay';
  } catch {
    return 'falcon-overlay';
  }
}

/** bindings' own "not found" (it throws a plain Error listing the paths it tried). */
function isNotFound(error: unknown): boolean {
  return error instanceof Error && /Could not locate the bindings file/.test(error.message);
}

/** The explanation for an addon that could not be loaded (exported for the tests). */
export function addonErrorMessage(target: string, reason: 'missing' | 'unloadable', needs: AddonNeeds, detail: string): string {
  const name = packageName();
  const platform = `${process.platform}-${process.arch}`;
  const rebuild = `then run "npm rebuild ${name}" (in a checkout of the repository: "npm run build:native")`;
  const without = needs.without !== undefined ? `; ${needs.without} works without it` : '';
  if (reason === 'missing') {
    const why = platform === 'linux-x64'
      ? `neither compiled (build/Release) nor prebuilt (out/Release) under ${PACKAGE_ROOT}`
      : `the package ships it prebuilt for linux-x64 only, this is ${platform}, and it was not compiled at install`;
    return `the native addon ${target}.node is missing (${why}): install ${needs.build} (Debian packages), ${rebuild}${without}`;
  }
  const runtime = needs.run !== undefined ? ` (it needs ${needs.run} at run time)` : '';
  return `the native addon ${target}.node did not load${runtime}: ${detail}; ` +
    `install what it names, or compile it for this machine: install ${needs.build} (Debian packages), ${rebuild}${without}`;
}

/**
 * Loads `<target>.node` where `bindings` finds it: build/Release (a local or
 * install-time compile) first, the shipped out/Release after. Throws
 * AddonLoadError naming what to install.
 */
export function loadNativeAddon<T>(target: string, needs: AddonNeeds): T {
  try {
    return bindings(target) as T;
  } catch (error) {
    const missing = isNotFound(error);
    const detail = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
    throw new AddonLoadError(target, missing ? 'missing' : 'unloadable', addonErrorMessage(target, missing ? 'missing' : 'unloadable', needs, detail), { cause: error });
  }
}
