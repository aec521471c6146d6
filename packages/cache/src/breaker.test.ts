import { describe, expect, it } from "vitest";
import { createBreaker } from "./breaker";

function createClockedBreaker() {
  const clock = { now: 0 };
  const events: string[] = [];
  const breaker = createBreaker({
    failures: 3,
    coolDownMs: 1_000,
    now: () => clock.now,
    onOpen: () => events.push("open"),
    onClose: () => events.push("close"),
  });
  const fail = () => breaker.release(breaker.acquire() ?? "normal", false);
  return { breaker, clock, events, fail };
}

describe("circuit breaker", () => {
  it("opens after consecutive failures only", () => {
    const { breaker, events, fail } = createClockedBreaker();
    fail();
    fail();
    breaker.release("normal", true);
    fail();
    fail();
    expect(breaker.readState()).toBe("closed");
    fail();
    expect(breaker.readState()).toBe("open");
    expect(breaker.acquire()).toBeUndefined();
    expect(events).toEqual(["open"]);
  });

  it("lets one probe through after the cool-down and closes when it succeeds", () => {
    const { breaker, clock, events, fail } = createClockedBreaker();
    for (let i = 0; i < 3; i += 1) fail();
    clock.now = 999;
    expect(breaker.acquire()).toBeUndefined();
    clock.now = 1_000;
    expect(breaker.acquire()).toBe("probe");
    expect(breaker.acquire()).toBeUndefined();
    breaker.release("probe", true);
    expect(breaker.readState()).toBe("closed");
    expect(breaker.acquire()).toBe("normal");
    expect(events).toEqual(["open", "close"]);
  });

  it("opens again for a full cool-down when the probe fails, without a second open event", () => {
    const { breaker, clock, events, fail } = createClockedBreaker();
    for (let i = 0; i < 3; i += 1) fail();
    clock.now = 1_000;
    breaker.release(breaker.acquire() ?? "normal", false);
    clock.now = 1_500;
    expect(breaker.acquire()).toBeUndefined();
    clock.now = 2_000;
    expect(breaker.acquire()).toBe("probe");
    expect(events).toEqual(["open"]);
  });

  it("ignores late answers to calls made before it opened", () => {
    const { breaker, fail } = createClockedBreaker();
    const early = breaker.acquire() ?? "normal";
    for (let i = 0; i < 3; i += 1) fail();
    breaker.release(early, true);
    expect(breaker.readState()).toBe("open");
  });
});
