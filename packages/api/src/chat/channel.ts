/**
 * A one-producer, one-consumer async queue. The chat reply runs as a task of
 * its own that pushes events here, so a visitor who disconnects stops only
 * the reading side: the task still stores what was said.
 *
 * `merge`, when given, joins values that wait in the buffer together (it
 * returns undefined for two that cannot be joined): a reader that falls
 * behind then takes one value where it would have taken several.
 */
export function createChannel<T>(merge?: (earlier: T, later: T) => T | undefined) {
  const buffer: T[] = [];
  let closed = false;
  let wake: (() => void) | null = null;

  return {
    push(value: T) {
      if (closed) return;
      const last = buffer.length && merge ? merge(buffer[buffer.length - 1]!, value) : undefined;
      if (last === undefined) buffer.push(value);
      else buffer[buffer.length - 1] = last;
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      for (;;) {
        const next = buffer.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    },
  };
}
