/**
 * Readings of the system at a moment (CPU of each process, this process's
 * own, the server's metrics) and what two of them say about the time between.
 */
import { readThreadCpus, sampleCpu, scrapeServer, type ServerMetrics } from "./observe";
import type { System } from "./system";

export type Reading = {
  at: number;
  wall: Date;
  server: ServerMetrics | null;
  /** CPU seconds by process (and "machine"), see sampleCpu. */
  cpu: Record<string, number>;
  /** The server process: its id, and CPU seconds by thread id (the main thread's id is the process's). */
  serverThreads: { pid: number; cpu: Record<string, number> } | null;
  bench: NodeJS.CpuUsage;
};

export type ServerSummary = { cpuPercent: number | null; rssMb: number | null; eventLoopP99Ms: number | null };

/**
 * Takes readings of this system. CPU first and stamped together; the scrape
 * may wait on a busy server, and is left out where a request to the server
 * would disturb what is measured (the end of a silence, an idle server).
 */
export function createReader(system: System) {
  const pids = () => ({ server: system.serverPid(), worker: system.workerPid(), simulator: system.simulatorPid(), proxy: system.proxyPid() });
  return async ({ scrape }: { scrape: boolean }): Promise<Reading> => {
    const serverPid = system.serverPid();
    const [at, wall, bench, cpu, threads] = [performance.now(), new Date(), process.cpuUsage(), await sampleCpu(pids(), system.postgresDataDir), serverPid ? await readThreadCpus(serverPid) : null];
    const serverThreads = serverPid && threads ? { pid: serverPid, cpu: threads } : null;
    return { at, wall, bench, cpu, serverThreads, server: scrape ? await scrapeServer(system.apiUrl).catch(() => null) : null };
  };
}

/** This process's CPU ms between two readings. */
export function benchCpuMs(before: Reading, after: Reading): number {
  return (after.bench.user + after.bench.system - before.bench.user - before.bench.system) / 1000;
}

/** From the server's own metrics; its CPU from /proc when a scrape failed (a busy server may not answer in time). */
export function describeServer(before: Reading, after: Reading, procCpuPercent: number | undefined): ServerSummary {
  const seconds = (after.at - before.at) / 1000;
  const cpuBefore = before.server?.cpuSeconds;
  const cpuAfter = after.server?.cpuSeconds;
  return {
    cpuPercent: cpuBefore != null && cpuAfter != null && seconds > 0 ? ((cpuAfter - cpuBefore) / seconds) * 100 : (procCpuPercent ?? null),
    rssMb: after.server?.rssBytes != null ? after.server.rssBytes / 2 ** 20 : null,
    eventLoopP99Ms: after.server?.eventLoopP99Seconds != null ? after.server.eventLoopP99Seconds * 1000 : null,
  };
}

/** CPU of each process between two readings, in % of one core; "bench" is this process, "other" busy CPU none of ours used. */
export function describeCpu(before: Reading, after: Reading): Record<string, number> {
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0) return {};
  const out: Record<string, number> = {};
  for (const [name, end] of Object.entries(after.cpu)) {
    const start = before.cpu[name];
    if (start !== undefined) out[name] = Math.max(0, ((end - start) / seconds) * 100);
  }
  // The load generator itself (this process, the proxy is counted apart).
  out.bench = (benchCpuMs(before, after) / 1000 / seconds) * 100;
  // Whatever else ran on the machine meanwhile (other users of the same cores): busy minus ours.
  if (out.machine !== undefined) {
    const ours = Object.entries(out).filter(([name]) => name !== "machine").reduce((sum, [, pct]) => sum + pct, 0);
    out.other = Math.max(0, out.machine - ours);
  }
  return out;
}
