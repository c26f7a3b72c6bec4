// Network namespaces named the way `ip netns` names them: a bare name lives
// in /run/netns, anything with a slash is a path (e.g. /proc/<pid>/ns/net).
import { close, open } from 'node:fs';

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
