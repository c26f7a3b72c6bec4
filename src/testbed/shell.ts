/** Quotes one word for POSIX sh (the guest's busybox sh and the chroot's /bin/sh). */
export function shQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
