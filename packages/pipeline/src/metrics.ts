import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { CacheStats } from "@leadline/cache";

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3.5, 5, 7.5, 10, 20];

/**
 * Prometheus metrics of one process, served at /metrics. The process's own
 * (CPU, memory, event-loop delay, GC) only where they are served.
 */
export function createPipelineMetrics(cacheStats: () => CacheStats = () => ({}), { processMetrics = true }: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  // The event loop is sampled every 50 ms, not prom-client's 10: each sample wakes the loop, and at 100 a second
  // that was most of an idle server's CPU. A loop blocked for longer still shows in full.
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: "leadline_", eventLoopMonitoringPrecision: 50 });
  new Gauge({
    name: "leadline_cache_lookups",
    help: "Cache lookups since start, by namespace and where they were answered (l1, l2, or a load: miss)",
    labelNames: ["namespace", "result"] as const,
    registers: [registry],
    collect() {
      for (const [namespace, s] of Object.entries(cacheStats())) {
        this.set({ namespace, result: "l1" }, s.l1Hits);
        this.set({ namespace, result: "l2" }, s.l2Hits);
        this.set({ namespace, result: "miss" }, s.misses);
        this.set({ namespace, result: "error" }, s.errors);
      }
    },
  });
  const labelNames = ["outcome", "complexity"] as const;
  return {
    registry,
    timeToFirstToken: new Histogram({ name: "leadline_chat_time_to_first_token_seconds", help: "From request to the first token sent", buckets: SECONDS, labelNames, registers: [registry] }),
    total: new Histogram({ name: "leadline_chat_total_seconds", help: "From request to the done event", buckets: SECONDS, labelNames, registers: [registry] }),
    criticalPost: new Histogram({ name: "leadline_chat_critical_post_seconds", help: "Blocking time after the last token (save and inline stages)", buckets: SECONDS, registers: [registry] }),
    stage: new Histogram({ name: "leadline_stage_duration_seconds", help: "Duration of each pipeline stage", buckets: SECONDS, labelNames: ["stage", "mode", "ok"] as const, registers: [registry] }),
    backgroundLag: new Histogram({ name: "leadline_background_lag_seconds", help: "From the reply's commit to the end of its background work", buckets: SECONDS, registers: [registry] }),
    messages: new Counter({ name: "leadline_chat_messages_total", help: "Chat messages answered", labelNames, registers: [registry] }),
    refusals: new Counter({
      name: "leadline_chat_refusals_total",
      help: "Chat calls refused before anything was stored or the model called: rate_limited, session_cap or budget_exhausted, by the rule that refused",
      labelNames: ["reason", "rule"] as const,
      registers: [registry],
    }),
  };
}

export type PipelineMetrics = ReturnType<typeof createPipelineMetrics>;
