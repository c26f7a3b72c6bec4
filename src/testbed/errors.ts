/**
 * Errors the testbed reports to a user as one clear line (no stack trace).
 * `exitCode` is what the CLI exits with.
 */
export class TestbedError extends Error {
  constructor(message: string, readonly exitCode: number = 2) {
    super(message);
    this.name = 'TestbedError';
  }
}

/** The hint every "something is not installed/built" error ends with. */
export const SETUP_HINT = "run 'npm run setup' (installs the Debian packages) and 'npm run build'";

/** Exit codes of `falcon-testbed run` besides the command's own. */
export const ExitCode = {
  usage: 2,
  splat: 3,
  /** The VM stopped without reporting the command's exit code (panic, crash). */
  vmLost: 125,
  timeout: 124,
} as const;
