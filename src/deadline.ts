/**
 * Settles like `work`, or rejects with `onTimeout()` once `ms` have passed (the work itself is not
 * cancelled: callers use it where the other side cannot be aborted, such as a Baileys call).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
