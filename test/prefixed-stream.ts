// A writable that prefixes every line with a tag, so the consoles of VMs
// running side by side (one per kernel) stay readable when interleaved.
import { Writable } from 'node:stream';

export function prefixed(tag: string, to: NodeJS.WritableStream): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) to.write(`[${tag}] ${l}\n`);
      done();
    },
    final(done) {
      if (partial !== '') to.write(`[${tag}] ${partial}\n`);
      done();
    },
  });
}
