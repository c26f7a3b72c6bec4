// Child process of test/vm/unpriv.ts's falconCallsAs(): runs the UserCalls
// given as base64 JSON in argv[2] on falcon.ko as whoever started it (nobody
// without capabilities, or root in another network namespace) and prints the
// outcomes as JSON on stdout. A separate process is the only way to get a
// caller without CAP_NET_ADMIN, or with its socket in another namespace.
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
  process.stderr.write(`unpriv-calls: ${String(err)}\n`);
  process.exit(1);
});
