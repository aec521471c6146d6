import type { Database, Sql } from "@leadline/db/client";
import type { FlagSet } from "@leadline/flags/definitions";
import { fitToTokenBudget, type ChatMessage, type LlmClient, type LlmEvent, type LlmUsage } from "@leadline/llm/client";
import type { SendErrorCode, SendEvent } from "@leadline/validators/chat";

import { completeMessage } from "./completion";
import { computeCost } from "./cost";
import type { BackgroundListener } from "./enhancement";
import { loadEnhancement } from "./enhancement-data";
import { HISTORY_TOKEN_BUDGET, type Claims } from "./lookups";
import type { PipelineMetrics } from "./metrics";
import { planStages } from "./plan";
import type { JobQueue } from "./queue";
import type { RateBook } from "./rates";
import type { CacheHits, PipelineCache } from "./cache";
import { STAGES } from "./registry";
import { runInlineGroups } from "./runner";
import { saveReply, type LlmEnd } from "./save-reply";
import { rememberTurn, type SessionState } from "./session-state";
import type { Complexity, MessageFacts, Stage, StageLogger, StageServices } from "./stage";
import type { TimingsWriter } from "./timings";

export type TurnDeps = {
  db: Database;
  sql: Sql;
  log: StageLogger;
  llm: { client: LlmClient; demo: boolean };
  rates: RateBook;
  cache: PipelineCache;
  timings: TimingsWriter;
  metrics: PipelineMetrics;
  /** Null when this process has no queue (then background stages run inline). */
  queue: JobQueue | null;
  background: BackgroundListener | null;
  services: StageServices;
  /** How long the stream stays open for an "enhanced" event after "done". */
  enhancementWindowMs: number;
  /** The stage registry (tests add their own). */
  stages?: readonly Stage[];
};

export type Turn = {
  claims: Claims;
  visitorId: string;
  /** The visitor's message; its id comes from `store`. */
  userMessage: { content: string; clientMessageId: string };
  /**
   * Stores the user message (or gives the id of the one stored already),
   * called as soon as the model call has started: on a warm session the
   * message is stored while the model thinks, no event reaches the visitor
   * until it is, and if it cannot be (its clientMessageId was used already,
   * UserMessageNotStored) the model call is aborted and the turn rejects.
   */
  store(): Promise<string>;
  /** The session's cached state this turn started from (null when the cache is off): the reply is added to it. */
  session: SessionState | null;
  systemPrompt: string;
  history: ChatMessage[];
  qualification: MessageFacts["qualification"];
  flags: FlagSet;
  complexity: Complexity;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Time spent on lookups before the model call. */
  lookupMs: number;
  /** Cache hits of this message so far (the lookups'). */
  cacheHits?: CacheHits;
};

/**
 * Starts the model call now (an async generator would wait for its first
 * read) and returns its events, with a way to abort it that leaves the
 * caller's signal alone.
 */
function startModelCall(client: LlmClient, messages: ChatMessage[], signal: AbortSignal | undefined) {
  const controller = new AbortController();
  const iterator = client.streamChat(messages, { signal: signal ? AbortSignal.any([signal, controller.signal]) : controller.signal })[Symbol.asyncIterator]();
  const first = iterator.next();
  // Read (and dropped) if the turn is abandoned before its first event is wanted.
  first.catch(() => undefined);
  let started = false;
  const events: AsyncIterable<LlmEvent> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        if (started) return iterator.next();
        started = true;
        return first;
      },
      return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined }),
    }),
  };
  return {
    events,
    abort() {
      controller.abort();
      void iterator.return?.(undefined).catch(() => undefined);
    },
  };
}

const VISITOR_MESSAGES: Record<SendErrorCode, string> = {
  rate_limited: "The assistant is busy right now. Please try again in a moment.",
  upstream_error: "The assistant could not answer just now. Please try again.",
  timeout: "The assistant took too long to answer. Please try again.",
  aborted: "The answer was stopped.",
  bad_request: "The assistant could not process this message.",
  internal: "Something went wrong on our side. Please try again.",
};

export function visitorMessageFor(code: SendErrorCode): string {
  return VISITOR_MESSAGES[code] ?? VISITOR_MESSAGES.internal;
}

/**
 * One answer, end to end after the lookups: the model call, the critical
 * save, the inline stages, the done event, then the background handoff and
 * (maybe) an enhanced event. Which of these block the visitor is decided by
 * the flags, resolved once for this message.
 */
/** What the model was paid for: the caller settles the message's budget reservation with it. */
export type AnsweredTurn = { model: string; usage: LlmUsage };

export async function answerTurn(deps: TurnDeps, turn: Turn, emit: (event: SendEvent) => void, signal?: AbortSignal): Promise<AnsweredTurn> {
  const { flags } = turn;
  const history = fitToTokenBudget(turn.history, HISTORY_TOKEN_BUDGET);
  const messages: ChatMessage[] = [{ role: "system", content: turn.systemPrompt }, ...history, { role: "user", content: turn.userMessage.content }];
  let firstTokenMs: number | null = null;
  let end: LlmEnd | undefined;
  const { events, abort } = startModelCall(deps.llm.client, messages, signal);
  const userMessageId = await turn.store().catch((error: unknown) => {
    abort();
    throw error;
  });
  emit({ type: "ack", userMessageId, clientMessageId: turn.userMessage.clientMessageId, replay: false });
  for await (const event of events) {
    if (event.type === "end") end = event;
    else if (flags["pipeline.streaming"]) {
      firstTokenMs ??= performance.now() - turn.startedAt;
      emit({ type: "token", text: event.text });
    }
  }
  if (!end) throw new Error("the model stream ended without an end event");
  const lastTokenAt = performance.now();

  const plan = planStages(deps.stages ?? STAGES, flags, turn.complexity);
  const { messageId } = await saveReply(deps.db, turn.claims, userMessageId, end, flags["pipeline.batched-queries"], {
    stages: plan.background.map((p) => p.stage.name),
    complexity: turn.complexity,
    flags,
  });
  const saveMs = performance.now() - lastTokenAt;
  const committedAt = Date.now();
  if (turn.session) {
    // Before `done`: the visitor's next message reads the history from here.
    const answered = { clientMessageId: turn.userMessage.clientMessageId, question: turn.userMessage.content, answer: end.text, answerStatus: end.status };
    void rememberTurn(deps.cache, turn.claims, turn.session, answered).catch((error: unknown) => deps.log.warn({ err: error, messageId }, "could not cache the session's history"));
  }

  const facts: MessageFacts = {
    ...turn.claims,
    visitorId: turn.visitorId,
    userMessage: { id: userMessageId, content: turn.userMessage.content },
    reply: { id: messageId, content: end.text, status: end.status, model: end.model, usage: end.usage, committedAt },
    qualification: turn.qualification,
    complexity: turn.complexity,
    flags,
  };
  const state = {};
  const inlineSpans = await runInlineGroups(plan.inline, { db: deps.db, log: deps.log, facts, state, services: deps.services }, turn.startedAt);
  const cacheHits: CacheHits = { ...turn.cacheHits };
  const cost = computeCost(end.usage, await deps.rates.rateFor(end.model, flags["pipeline.cache"], cacheHits));

  if (!flags["pipeline.streaming"] && end.text) {
    firstTokenMs = performance.now() - turn.startedAt;
    emit({ type: "token", text: end.text }); // the plan's original: the whole reply at once, after post-processing
  }
  const criticalPostMs = performance.now() - lastTokenAt;
  const totalMs = performance.now() - turn.startedAt;
  if (end.status === "failed") {
    const code = end.error?.code ?? "upstream_error";
    emit({ type: "error", code, message: visitorMessageFor(code), retryable: code !== "bad_request", messageId });
  } else {
    emit({ type: "done", messageId, status: end.status, text: end.text, usage: end.usage, cost: { usd: cost.usd, priced: cost.priced }, timings: { firstTokenMs, totalMs }, demoModel: deps.llm.demo });
  }

  // Everything below happens after the visitor has the answer.
  const retryLater = inlineSpans.filter((s) => !s.ok).map((s) => s.name);
  const backgroundStages = [...plan.background.map((p) => p.stage.name), ...retryLater];
  const job = { messageId, organizationId: turn.claims.organizationId, stages: backgroundStages, complexity: turn.complexity, flags, committedAt };
  let handingOff = false;
  if (backgroundStages.length && deps.queue) {
    // Not awaited: the job is already durable in the reply's outbox event, so the stream need not stay
    // open for the hand-off (a visitor's connection stays busy until it closes, and a busy pool made
    // that wait long under load). A failed hand-off only means the outbox relay enqueues the work later.
    handingOff = true;
    // The queue wakes the worker itself once the job is in (see runtime.ts).
    void deps.queue.sendPostProcess(job).catch((error: unknown) => deps.log.warn({ err: error, messageId }, "could not enqueue background work; the outbox relay will"));
  } else if (!backgroundStages.length) {
    await completeMessage(deps.sql, { organizationId: turn.claims.organizationId, messageId, lagMs: 0, spans: inlineSpans, attempts: 1 }).catch((error: unknown) =>
      deps.log.warn({ err: error, messageId }, "could not mark the message processed; the outbox relay will"),
    );
  }

  const labels = { outcome: end.status, complexity: turn.complexity };
  deps.metrics.messages.inc(labels);
  if (firstTokenMs !== null) deps.metrics.timeToFirstToken.observe(labels, firstTokenMs / 1000);
  deps.metrics.total.observe(labels, totalMs / 1000);
  deps.metrics.criticalPost.observe(criticalPostMs / 1000);
  for (const span of inlineSpans) deps.metrics.stage.observe({ stage: span.name, mode: span.mode, ok: String(span.ok) }, span.ms / 1000);
  const row = {
    organizationId: turn.claims.organizationId,
    siteId: turn.claims.siteId,
    sessionId: turn.claims.sessionId,
    messageId,
    timeToFirstTokenMs: firstTokenMs,
    llmMs: end.timings.totalMs,
    totalMs,
    criticalPostMs,
    dbMs: turn.lookupMs + saveMs,
    stages: [
      { name: "lookups", mode: flags["pipeline.batched-queries"] ? ("parallel" as const) : ("inline" as const), ms: turn.lookupMs, ok: true },
      { name: "save-reply", mode: "inline" as const, ms: saveMs, ok: true },
      ...inlineSpans.map((s) => ({ name: s.name, mode: s.mode, ms: s.ms, ok: s.ok })),
      ...plan.background.map((p) => ({ name: p.stage.name, mode: "background" as const, ms: 0, ok: true })),
    ],
    flags: { ...flags },
    complexity: turn.complexity,
    cacheHits,
    outcome: end.status,
    errorCode: end.error?.code ?? null,
    promptTokens: end.usage.promptTokens,
    completionTokens: end.usage.completionTokens,
  };
  if (flags["pipeline.background"]) deps.timings.add(row);
  else await deps.timings.writeNow(row).catch((error: unknown) => deps.log.warn({ err: error }, "could not write request timings"));

  if (handingOff && flags["pipeline.enhancement"] && deps.background && end.status !== "failed") {
    if (await deps.background.waitFor(messageId, deps.enhancementWindowMs, signal)) {
      const enhancement = await loadEnhancement(deps.db, turn.claims, messageId);
      if (enhancement) emit(enhancement);
    }
  }
  return { model: end.model, usage: end.usage };
}
