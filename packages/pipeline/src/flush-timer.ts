/**
 * The timer of a writer that gathers rows and writes them together: `schedule`
 * runs `flush` once, `delayMs` after the first call since the last run, and
 * nothing is pending while nothing asks (an idle server runs no timer).
 */
export function createFlushTimer(flush: () => unknown, delayMs: number) {
  let timer: NodeJS.Timeout | null = null;
  return {
    schedule() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void flush();
      }, delayMs);
      timer.unref();
    },
    /** Called by a flush that runs early (or by stop), so the scheduled one does not run for nothing. */
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
