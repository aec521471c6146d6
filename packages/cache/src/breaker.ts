export type BreakerState = "closed" | "open" | "half-open";

/** A probe is the one call let through after the cool-down; only its outcome closes the breaker. */
export type BreakerPermit = "normal" | "probe";

export type BreakerOptions = {
  failures: number;
  coolDownMs: number;
  now?: () => number;
  onOpen?: () => void;
  onClose?: () => void;
};

export function createBreaker({ failures, coolDownMs, now = performance.now.bind(performance), onOpen, onClose }: BreakerOptions) {
  let state: BreakerState = "closed";
  let consecutiveFailures = 0;
  let openedAt = 0;
  let probing = false;

  function openAgain(): void {
    state = "open";
    openedAt = now();
    probing = false;
  }

  return {
    readState: (): BreakerState => state,

    /** undefined means: do not call Redis now. */
    acquire(): BreakerPermit | undefined {
      if (state === "closed") return "normal";
      if (state === "open" && now() - openedAt >= coolDownMs) state = "half-open";
      if (state === "half-open" && !probing) {
        probing = true;
        return "probe";
      }
      return undefined;
    },

    release(permit: BreakerPermit, succeeded: boolean): void {
      if (permit === "probe") {
        if (!succeeded) return openAgain();
        state = "closed";
        consecutiveFailures = 0;
        probing = false;
        onClose?.();
        return;
      }
      // A call let through before the breaker opened says nothing about Redis now.
      if (state !== "closed") return;
      if (succeeded) {
        consecutiveFailures = 0;
        return;
      }
      consecutiveFailures += 1;
      if (consecutiveFailures >= failures) {
        openAgain();
        onOpen?.();
      }
    },
  };
}

export type Breaker = ReturnType<typeof createBreaker>;
