import { describe, expect, it } from "vitest";

import { computeCpuPerMessage, computeIdleCost, diffCpuMs, judgeCpuPerMessage, splitThreadsMs, type CpuPhase } from "./cpu-cost";

const phase = (over: Partial<CpuPhase> = {}): CpuPhase => ({
  variant: "O",
  answered: 100,
  loadSeconds: 8,
  seconds: 10,
  cpuMs: { server: 700, "server-main": 400, "server-busiest-thread": 200, postgres: 250, simulator: 90 },
  generatorMs: 320,
  pending: 0,
  ...over,
});

describe("diffCpuMs", () => {
  it("turns CPU seconds into milliseconds used between two readings", () => {
    expect(diffCpuMs({ server: 1.5, postgres: 3 }, { server: 2.25, postgres: 3.1 })).toEqual({ server: 750, postgres: expect.closeTo(100, 6) });
  });

  it("leaves out what one reading lacks and a process that restarted in between", () => {
    expect(diffCpuMs({ server: 5, worker: 1 }, { server: 1, simulator: 2 })).toEqual({});
  });
});

describe("splitThreadsMs", () => {
  it("picks the main thread (the process's own id) and the busiest of the others", () => {
    const before = { pid: 10, cpu: { "10": 1, "11": 0.5, "12": 2 } };
    const after = { pid: 10, cpu: { "10": 1.2, "11": 0.9, "12": 2.1, "13": 5 } };
    const split = splitThreadsMs(before, after);
    expect(split["server-main"]).toBeCloseTo(200, 6);
    expect(split["server-busiest-thread"]).toBeCloseTo(400, 6); // thread 13 started in between: left out
  });

  it("gives nothing across a restart (another process)", () => {
    expect(splitThreadsMs({ pid: 10, cpu: { "10": 1 } }, { pid: 20, cpu: { "20": 2 } })).toEqual({});
    expect(splitThreadsMs(null, { pid: 20, cpu: { "20": 2 } })).toEqual({});
  });
});

describe("computeIdleCost", () => {
  it("gives the idle server's CPU per second, the worker process counted with it", () => {
    const idle = computeIdleCost({ server: 30, "server-main": 10, "server-busiest-thread": 15, worker: 20, postgres: 50 }, 10);
    expect(idle).toEqual({ seconds: 10, serverMsPerSecond: 5, mainThreadMsPerSecond: 1, busiestThreadMsPerSecond: 1.5, postgresMsPerSecond: 5 });
  });
});

describe("computeCpuPerMessage", () => {
  const idle = { seconds: 10, serverMsPerSecond: 5, mainThreadMsPerSecond: 1, busiestThreadMsPerSecond: 3, postgresMsPerSecond: 2 };

  it("divides the span's CPU by the answered messages and takes the idle server's share of the same span off", () => {
    const m = computeCpuPerMessage(phase(), idle);
    expect(m.rawMs).toBe(7);
    expect(m.idleMs).toBe(0.5); // 5 ms/s × 10 s over 100 messages
    expect(m.netMs).toBe(6.5);
    expect(m.mainThreadMs).toBe(4);
    expect(m.busiestThreadMs).toBe(2);
    expect(m.restMs).toBe(1);
    expect(m.postgresMs).toBe(2.5);
    expect(m.simulatorMs).toBe(0.9);
    expect(m.generatorMs).toBe(3.2);
  });

  it("counts a worker process with the server", () => {
    const m = computeCpuPerMessage(phase({ cpuMs: { server: 300, worker: 400, "server-main": 250, "server-busiest-thread": 30 } }), idle);
    expect(m.rawMs).toBe(7);
    expect(m.restMs).toBe(4.2);
  });

  it("can go below zero where the server did nothing but idle (D), and is unknown without answers", () => {
    expect(computeCpuPerMessage(phase({ variant: "D", cpuMs: { server: 40 } }), idle).netMs).toBeCloseTo(-0.1, 6);
    const none = computeCpuPerMessage(phase({ answered: 0 }), idle);
    expect([none.rawMs, none.netMs, none.generatorMs]).toEqual([null, null, null]);
  });

  it("gives raw only when the idle server was not measured", () => {
    const m = computeCpuPerMessage(phase(), null);
    expect(m.rawMs).toBe(7);
    expect(m.netMs).toBeNull();
  });
});

describe("judgeCpuPerMessage", () => {
  it("holds O to the fixed limit, or to 1.5 × the load generator's per D message when that is larger", () => {
    expect(judgeCpuPerMessage(2.9, 3, 1)).toEqual({ limitMs: 3, met: true });
    expect(judgeCpuPerMessage(3.5, 3, 1)).toEqual({ limitMs: 3, met: false });
    expect(judgeCpuPerMessage(3.5, 3, 2.4)).toEqual({ limitMs: expect.closeTo(3.6, 6), met: true });
    expect(judgeCpuPerMessage(3.5, 3, null)).toEqual({ limitMs: 3, met: false });
    expect(judgeCpuPerMessage(null, 3, 2)).toEqual({ limitMs: 3, met: null });
  });
});
