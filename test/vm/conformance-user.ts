// Child process of the kernel conformance run: runs the UserCalls given as
// base64 JSON in argv[2] on falcon.ko as whoever started it (the suite starts
// it without privileges, see conformance-kernel.test.ts) and prints the
// outcomes as JSON on stdout.
import { openFalcon } from '../../src/index';
import { runUserCalls, UserCall } from '../conformance/backend';

async function main(): Promise<void> {
  const calls = JSON.parse(Buffer.from(process.argv[2] ?? '', 'base64').toString('utf8')) as UserCall[];
  const falcon = await openFalcon({ backend: 'kernel' });
  try {
    process.stdout.write(JSON.stringify(await runUserCalls(falcon, calls)));
  } finally {
    await falcon.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`conformance-user: ${String(err)}\n`);
  process.exit(1);
});
