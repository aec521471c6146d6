/**
 * CPU per answered message, from CPU readings taken around each variant's
 * run alone: the server's (API and background work together, the worker
 * process added when there is one) raw and net of what the idle server burns
 * anyway over the same span, beside the load generator's own cost.
 */

/** CPU seconds used so far, by name: processes ("server", "worker", "postgres", "simulator"…). */
export type CpuReading = Record<string, number>;

/** The server's CPU split by thread, in ms over a span: its main thread (the API's event loop) and its busiest other thread (with ROLE=all, the worker thread). */
export type ThreadSplit = { "server-main"?: number; "server-busiest-thread"?: number };

/** The idle server: no traffic, the worker on, its queue empty. */
export type IdleCost = {
  seconds: number;
  /** The server process (and the worker process, if any): CPU ms per second. */
  serverMsPerSecond: number;
  /** The server's main thread (the API's event loop) alone. */
  mainThreadMsPerSecond: number | null;
  /** The server's busiest other thread (with ROLE=all, the worker thread); the rest is GC, the compiler and libuv's pool. */
  busiestThreadMsPerSecond: number | null;
  postgresMsPerSecond: number | null;
};

/** One variant run alone: how many messages it answered and the CPU it took, background work included. */
export type CpuPhase = {
  variant: string;
  answered: number;
  /** Load start → last answer (s). */
  loadSeconds: number;
  /** Load start → the messages' background work drained (s): the span the processes' CPU is counted over. */
  seconds: number;
  /** CPU ms over `seconds` by process (see CpuReading) and the server's ThreadSplit; this process is apart, see generatorMs. */
  cpuMs: Record<string, number>;
  /** This process, the load generator, over the load only (its own drain polling is not the stream's consumption). */
  generatorMs: number;
  /** Answered messages whose background work had not finished when counting stopped: their CPU is partly missing. */
  pending: number;
};

export type CpuPerMessage = {
  variant: string;
  answered: number;
  /** The server's CPU per answered message over the whole span, idle included. */
  rawMs: number | null;
  /** What the idle server would have used over the same span, per message. */
  idleMs: number | null;
  /** raw − idle: the messages' own cost (noise can make it slightly negative where the server did nothing, as for D). */
  netMs: number | null;
  /** raw split: the server's main thread (the API's event loop), its busiest other thread (with ROLE=all, the worker thread), and the rest (GC, the compiler, libuv's pool, and a worker process if any). */
  mainThreadMs: number | null;
  busiestThreadMs: number | null;
  restMs: number | null;
  postgresMs: number | null;
  simulatorMs: number | null;
  /** The load generator's CPU per message: for D the OpenAI SDK's own floor for consuming the same stream. */
  generatorMs: number | null;
};

/** CPU ms used between two readings, by name (names missing from either are left out; a restarted process would go negative and is dropped). */
export function diffCpuMs(before: CpuReading, after: CpuReading): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, end] of Object.entries(after)) {
    const start = before[name];
    if (start !== undefined && end >= start) out[name] = (end - start) * 1000;
  }
  return out;
}

/** The server's CPU ms in a diff: the process, plus the worker process when it runs apart. */
export function serverMs(cpuMs: Record<string, number>): number | null {
  return cpuMs.server === undefined ? null : cpuMs.server + (cpuMs.worker ?? 0);
}

/**
 * The server's main thread and busiest other thread between two readings of
 * its threads' CPU seconds (a thread that started or ended in between is left
 * out). Readings of another process (the server restarted) give nothing.
 */
export function splitThreadsMs(before: { pid: number; cpu: Record<string, number> } | null, after: { pid: number; cpu: Record<string, number> } | null): ThreadSplit {
  if (!before || !after || before.pid !== after.pid) return {};
  const ms = diffCpuMs(before.cpu, after.cpu);
  const main = ms[String(after.pid)];
  const others = Object.entries(ms).filter(([tid]) => tid !== String(after.pid)).map(([, x]) => x);
  return { ...(main === undefined ? {} : { "server-main": main }), ...(others.length ? { "server-busiest-thread": Math.max(...others) } : {}) };
}

/** The idle server's CPU per second not in its main thread or busiest other thread: GC, the compiler, libuv's pool, a worker process. */
export function idleRestMsPerSecond(idle: IdleCost): number | null {
  return idle.mainThreadMsPerSecond === null || idle.busiestThreadMsPerSecond === null ? null : idle.serverMsPerSecond - idle.mainThreadMsPerSecond - idle.busiestThreadMsPerSecond;
}

/** The idle server's cost from the CPU ms of a span with no traffic (processes and the server's ThreadSplit). */
export function computeIdleCost(cpuMs: Record<string, number>, seconds: number): IdleCost {
  const perSecond = (x: number | null | undefined) => (x == null || seconds <= 0 ? null : x / seconds);
  return {
    seconds,
    serverMsPerSecond: perSecond(serverMs(cpuMs)) ?? Number.NaN,
    mainThreadMsPerSecond: perSecond(cpuMs["server-main"]),
    busiestThreadMsPerSecond: perSecond(cpuMs["server-busiest-thread"]),
    postgresMsPerSecond: perSecond(cpuMs.postgres),
  };
}

export function computeCpuPerMessage(phase: CpuPhase, idle: IdleCost | null): CpuPerMessage {
  const n = phase.answered;
  const per = (x: number | null | undefined) => (x == null || n === 0 || !Number.isFinite(x) ? null : x / n);
  const server = serverMs(phase.cpuMs);
  const main = phase.cpuMs["server-main"];
  const busiest = phase.cpuMs["server-busiest-thread"];
  const idleMs = idle && Number.isFinite(idle.serverMsPerSecond) ? per(idle.serverMsPerSecond * phase.seconds) : null;
  const rawMs = per(server);
  return {
    variant: phase.variant,
    answered: n,
    rawMs,
    idleMs,
    netMs: rawMs !== null && idleMs !== null ? rawMs - idleMs : null,
    mainThreadMs: per(main),
    busiestThreadMs: per(busiest),
    restMs: per(server !== null && main !== undefined && busiest !== undefined ? server - main - busiest : null),
    postgresMs: per(phase.cpuMs.postgres),
    simulatorMs: per(phase.cpuMs.simulator),
    generatorMs: per(phase.generatorMs),
  };
}

/**
 * The CPU goal: O's net server CPU per message within `limitMs`, or within
 * `generatorFactor` × the load generator's CPU per D message in the same run
 * (on a slower machine both grow alike). The limit that applies is the larger.
 */
export function judgeCpuPerMessage(netMs: number | null, limitMs: number, generatorPerDirectMs: number | null, generatorFactor = 1.5): { limitMs: number; met: boolean | null } {
  const relative = generatorPerDirectMs === null ? 0 : generatorFactor * generatorPerDirectMs;
  const limit = Math.max(limitMs, relative);
  return { limitMs: limit, met: netMs === null ? null : netMs <= limit };
}
