/**
 * A one-producer, one-consumer async queue. The chat reply runs as a task of
 * its own that pushes events here, so a visitor who disconnects stops only
 * the reading side: the task still stores what was said.
 */
export function createChannel<T>() {
  const buffer: T[] = [];
  let closed = false;
  let wake: (() => void) | null = null;

  return {
    push(value: T) {
      if (closed) return;
      buffer.push(value);
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
