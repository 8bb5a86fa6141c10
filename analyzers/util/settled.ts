/**
 * Work started side by side (a file compressed on a libuv thread while the main thread draws)
 * must not outlive a failure: a caller that gives up while the other still writes could leave a
 * file behind its error. `settledBoth` waits for both before it throws.
 */

/** `a`'s value once `b` has settled too; the first rejection (a's, then b's) when either fails. */
export async function settledBoth<T>(a: Promise<T>, b: Promise<unknown> | undefined): Promise<T> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return ra.value;
}
