import type { Database } from "@leadline/db/client";
import type { ContactInfo, QualificationSignals, ScoreBreakdown } from "@leadline/db/schema";
import type { FlagName, FlagSet } from "@leadline/flags/definitions";
import type { LlmUsage } from "@leadline/llm/client";
import type { StructuredExtractor } from "@leadline/llm/structured";

/** The smart router's classes (plan 5.1): a greeting; an ordinary question; contact details or buying signals. */
export type Complexity = "simple" | "moderate" | "complex";

export type StageMode = "inline" | "parallel" | "background";

/** What every post-processing stage may read about the message it works on. */
export type MessageFacts = {
  organizationId: string;
  siteId: string;
  sessionId: string;
  visitorId: string;
  userMessage: { id: string; content: string };
  reply: { id: string; content: string; status: "complete" | "partial" | "failed"; model: string; usage: LlmUsage; committedAt: number };
  qualification: { qualifiedScore: number; hotScore: number };
  complexity: Complexity;
  flags: FlagSet;
};

/** What stages hand to later stages of the same message (in memory, or rebuilt by the worker). */
export type StageState = {
  entities?: { contact: ContactInfo; signals: QualificationSignals; found: string[] };
  lead?: { id: string; score: number; status: "new" | "engaged" | "qualified" | "hot"; breakdown: ScoreBreakdown; contact: ContactInfo; events: string[] };
};

export type StageLogger = { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };

export type StageContext = {
  db: Database;
  log: StageLogger;
  facts: MessageFacts;
  state: StageState;
  /** Aborted when the stage runs past its time budget. */
  signal: AbortSignal;
  /** Side effects a stage may need beyond the database (webhook delivery, the model). */
  services: StageServices;
};

export type StageServices = {
  /** Model-based structured extraction, when a model is configured for it. */
  structured?: StructuredExtractor | null;
  /** Schedules delivery of one webhook (the queue, or a direct first attempt in the baseline). */
  deliverWebhook(deliveryId: string, mode: StageMode, organizationId: string): Promise<void>;
};

/**
 * A post-processing step: data plus a function. The runner decides, from the
 * flags resolved once per message, whether it runs inline (the plan's
 * sequential original), in parallel with its peers, or on the durable queue.
 */
export type Stage = {
  name: string;
  /** The optimization that moves this stage off the sequential path. */
  flag: FlagName;
  /** Modes it supports; "inline" always, the others when safe for it. */
  modes: readonly StageMode[];
  /** Stages whose results it reads: it runs after them. */
  after: readonly string[];
  /** The least complexity of message that needs it, under the smart router. */
  neededFrom: Complexity;
  reads: readonly string[];
  writes: readonly string[];
  /**
   * Upper bound on its run time while a visitor waits (inline, parallel);
   * past it the stage is aborted and counted as failed. In the background
   * the bound is BACKGROUND_BUDGET_FACTOR times longer (see runner.ts).
   */
  timeoutMs: number;
  /**
   * "model": in the background it waits on a model call, so it runs on a
   * queue of its own after the message's other background work is done: a
   * slow model never holds up the quick stages, their worker slots or their
   * connections. Inline it runs in its place like any other stage.
   */
  lane?: "model";
  run(ctx: StageContext): Promise<void>;
};
