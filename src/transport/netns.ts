// Network namespaces named the way `ip netns` names them: a bare name lives
// in /run/netns, anything with a slash is a path (e.g. /proc/<pid>/ns/net).
import { close, open, readdirSync, statSync } from 'node:fs';

/** Directory where `ip netns add` bind-mounts named namespaces. */
export const NETNS_RUN_DIR = '/run/netns';

/** The file a namespace reference points at. */
export function netnsPath(ref: string): string {
  return ref.includes('/') ? ref : `${NETNS_RUN_DIR}/${ref}`;
}

/**
 * Opens a namespace file read-only for the netns-fd attribute. Rejects with
 * the file system's error (code ENOENT when there is no such namespace).
 */
export function openNetnsFd(ref: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (ref === '') {
      reject(Object.assign(new Error('empty network namespace name'), { code: 'ENOENT', errno: 2 }));
      return;
    }
    open(netnsPath(ref), 'r', (error, fd) => (error ? reject(error) : resolve(fd)));
  });
}

/** Closes a descriptor from openNetnsFd. */
export function closeNetnsFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (error) => (error ? reject(error) : resolve())));
}

/** The inode number of a namespace file, or undefined when it cannot be read. */
function inumOf(file: string): number | undefined {
  try {
    return statSync(file).ino;
  } catch {
    return undefined;
  }
}

/**
 * How to name, in a later request, the network namespace whose inode number
 * is @inum: undefined for the caller's own namespace (the requests' default),
 * its `ip netns` name when it has one, else the /proc/<pid>/ns/net path of a
 * process in it, else `netns:[<inum>]` (unnamed and empty: nothing can name it).
 */
export function netnsNameOf(inum: number): string | undefined {
  if (inumOf('/proc/self/ns/net') === inum) return undefined;
  let names: string[] = [];
  try {
    names = readdirSync(NETNS_RUN_DIR).sort();
  } catch {
    /* no named namespaces */
  }
  for (const name of names) if (inumOf(`${NETNS_RUN_DIR}/${name}`) === inum) return name;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    /* no /proc */
  }
  for (const pid of pids) if (inumOf(`/proc/${pid}/ns/net`) === inum) return `/proc/${pid}/ns/net`;
  return `netns:[${inum}]`;
}
