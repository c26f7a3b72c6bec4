// Child process of the kernel conformance run: listens to falcon.ko's
// events() as whoever started it (see conformance-kernel.test.ts) and writes
// "ready" once subscribed, then one JSON event per line, or {"error": ...}
// when the listener fails. Ends on SIGTERM.
import { openFalcon } from '../../src/index';

async function main(): Promise<void> {
  const falcon = await openFalcon({ backend: 'kernel' });
  const stop = new AbortController();
  process.on('SIGTERM', () => stop.abort());
  const events = falcon.events({ signal: stop.signal });
  process.stdout.write('ready\n');
  try {
    for await (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    process.stdout.write(`${JSON.stringify({ error: e.code ?? 'EIO', message: e.message ?? String(error) })}\n`);
  } finally {
    await falcon.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`conformance-listen: ${String(err)}\n`);
  process.exit(1);
});
