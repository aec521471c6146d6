import { desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";

import { chatMessages } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import type { FlagSet } from "@leadline/flags/definitions";
import { classifyMessage } from "@leadline/pipeline/domain";
import { countHit, type CacheHits } from "@leadline/pipeline/cache";
import type { Complexity } from "@leadline/pipeline/stage";
import { cachedSiteConfig, HISTORY_LIMIT, loadTurn, type CachedLookups, type StoredMessage } from "@leadline/pipeline/lookups";
import { noteClientMessageId, readSessionState, storeUserMessage, writeSessionState, type SessionState } from "@leadline/pipeline/session-state";
import type { Turn } from "@leadline/pipeline/turn";
import type { SendInput } from "@leadline/validators/chat";

import type { Context } from "../context";
import { badRequest, DomainError, notFound } from "../errors";
import type { VisitorClaims } from "./session-token";

/** How long a started answer holds its user message before a resend may start another. */
export const ANSWER_CLAIM_SECONDS = 120;

export type SendPlan = { startedAt: number; visitor: VisitorClaims; flags: FlagSet } & (
  | { kind: "answer"; turn: Turn }
  | { kind: "replay"; userMessage: StoredMessage; reply: StoredMessage }
  | { kind: "wait"; userMessage: StoredMessage }
);

type Prepared = { startedAt: number; complexity: Complexity; flags: FlagSet; cacheHits: CacheHits };

/**
 * Everything that must hold before any byte streams: the text is acceptable,
 * the session exists, the user message is stored (once per clientMessageId),
 * and this request either owns the answer or replays/waits for an existing
 * one. Flags are resolved here, once for the message. Throws domain errors;
 * nothing is written when the input is refused.
 *
 * With the cache on, a warm session (its state cached, the clientMessageId
 * not among its recent ones) costs no round trip here: the user message is
 * stored while the model call runs (Turn.stored), and a duplicate found then
 * comes back through resolveResend. Otherwise one statement reads the
 * session, site and history and stores the message (batched), or the plan's
 * original queries run one after another.
 */
export async function prepareSend(ctx: Context, visitor: VisitorClaims, input: SendInput): Promise<SendPlan> {
  const startedAt = performance.now();
  if (input.text.length > ctx.config.maxMessageChars) {
    throw badRequest(`Message is too long (at most ${ctx.config.maxMessageChars} characters)`);
  }
  const complexity = classifyMessage(input.text);
  const flags = ctx.flagOverride ?? ctx.flags.resolve({ ...visitor, complexity });
  const prepared: Prepared = { startedAt, complexity, flags, cacheHits: {} };
  const cached = flags["pipeline.cache"] ? { cache: ctx.pipeline.cache, hits: prepared.cacheHits } : undefined;
  if (cached) {
    const warm = await prepareWarm(ctx, visitor, input, prepared, cached);
    if (warm) return warm;
  }
  const loaded = await loadTurn(ctx.db, visitor, { clientMessageId: input.clientMessageId, text: input.text }, flags["pipeline.batched-queries"], cached);
  if (!loaded.session) throw notFound("Chat session");
  const { session } = loaded;
  let state: SessionState | null = null;
  if (cached) {
    state = { siteId: visitor.siteId, visitorId: session.visitorId, history: loaded.history, recentClientMessageIds: [input.clientMessageId] };
    void writeSessionState(ctx.pipeline.cache, visitor, state).catch(() => undefined); // this process's copy is written at once
  }
  if (loaded.inserted) {
    return { startedAt, visitor, flags, kind: "answer", turn: turnOf(visitor, prepared, { ...session, history: loaded.history, state }, loaded.inserted) };
  }
  return resolveResend(ctx, visitor, input, prepared, session);
}

/** The warm path: the session's state and the site's config from the cache, the user message stored alongside the model call. */
async function prepareWarm(ctx: Context, visitor: VisitorClaims, input: SendInput, prepared: Prepared, cached: CachedLookups): Promise<SendPlan | null> {
  const state = await readSessionState(ctx.pipeline.cache, visitor);
  if (!state || state.siteId !== visitor.siteId || state.recentClientMessageIds.includes(input.clientMessageId)) return null;
  countHit(cached.hits, "sessions", "l1");
  const site = await cachedSiteConfig(ctx.db, cached, visitor);
  if (!site) return null;
  noteClientMessageId(ctx.pipeline.cache, visitor, state, input.clientMessageId);
  const store = () => storeUserMessage(ctx.db, visitor, { clientMessageId: input.clientMessageId, text: input.text });
  const turn = turnOf(visitor, prepared, { visitorId: state.visitorId, ...site, history: state.history, state }, { content: input.text, clientMessageId: input.clientMessageId, store });
  return { startedAt: prepared.startedAt, visitor, flags: prepared.flags, kind: "answer", turn };
}

function turnOf(
  visitor: VisitorClaims,
  prepared: Prepared,
  session: { visitorId: string; systemPrompt: string; qualification: Turn["qualification"]; history: Turn["history"]; state: SessionState | null },
  userMessage: ({ id: string } | { store(): Promise<string> }) & { content: string; clientMessageId: string | null },
): Turn {
  return {
    claims: visitor,
    visitorId: session.visitorId,
    userMessage: { content: userMessage.content, clientMessageId: userMessage.clientMessageId ?? "" },
    store: "store" in userMessage ? userMessage.store : () => Promise.resolve(userMessage.id),
    session: session.state,
    systemPrompt: session.systemPrompt,
    history: session.history,
    qualification: session.qualification,
    flags: prepared.flags,
    complexity: prepared.complexity,
    startedAt: prepared.startedAt,
    lookupMs: performance.now() - prepared.startedAt,
    cacheHits: prepared.cacheHits,
  };
}

/**
 * The same clientMessageId again: replay the stored answer, wait for the
 * request answering it, or (after a failure, or once the claim has lapsed)
 * answer it anew.
 */
export async function resolveResend(
  ctx: Context,
  visitor: VisitorClaims,
  input: Pick<SendInput, "clientMessageId" | "text">,
  prepared: Prepared,
  session: { visitorId: string; systemPrompt: string; qualification: Turn["qualification"] },
): Promise<SendPlan> {
  const { startedAt, flags } = prepared;
  const [userMessage] = await ctx.db
    .select()
    .from(chatMessages)
    .where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.sessionId, visitor.sessionId), eq(chatMessages.clientMessageId, input.clientMessageId)));
  if (!userMessage) throw notFound("Message");
  if (userMessage.content !== input.text) {
    throw new DomainError("CONFLICT", "This clientMessageId was already used for a different message");
  }
  const reply = await findReply(ctx, visitor, userMessage.id);
  if (reply && reply.status !== "failed") return { startedAt, visitor, flags, kind: "replay", userMessage, reply };
  const claimed = await claimAnswer(ctx, visitor, userMessage, reply);
  if (!claimed) return { startedAt, visitor, flags, kind: "wait", userMessage };
  // This answer is not added to the cached history (its turn has no session state): the session's next message reads it from the database.
  void ctx.pipeline.cache.invalidate("sessions", visitor.organizationId, visitor.sessionId).catch(() => undefined);
  const history = await loadHistoryBefore(ctx, claimed);
  return { startedAt, visitor, flags, kind: "answer", turn: turnOf(visitor, prepared, { ...session, history, state: null }, claimed) };
}

/** A warm turn whose message turned out to be stored already: resolveResend from what it had prepared. */
export function resendOf(ctx: Context, turn: Turn): Promise<SendPlan> {
  const prepared = { startedAt: turn.startedAt, complexity: turn.complexity, flags: turn.flags, cacheHits: turn.cacheHits ?? {} };
  const session = { visitorId: turn.visitorId, systemPrompt: turn.systemPrompt, qualification: turn.qualification };
  return resolveResend(ctx, turn.claims, { clientMessageId: turn.userMessage.clientMessageId, text: turn.userMessage.content }, prepared, session);
}

/** Takes over answering a message unless another request is answering it now; a failed answer is replaced. */
async function claimAnswer(ctx: Context, visitor: VisitorClaims, userMessage: StoredMessage, failedReply: StoredMessage | undefined) {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(chatMessages)
      .set({ answerStartedAt: sql`now()` })
      .where(
        scopedTo(
          visitor.organizationId,
          chatMessages,
          eq(chatMessages.id, userMessage.id),
          or(
            isNull(chatMessages.answerStartedAt),
            lt(chatMessages.answerStartedAt, sql`now() - make_interval(secs => ${ANSWER_CLAIM_SECONDS})`),
            // After a failed answer: claimable once, by the first resend (its claim is newer than the failure).
            failedReply ? lt(chatMessages.answerStartedAt, failedReply.createdAt) : undefined,
          ),
        ),
      )
      .returning();
    if (row && failedReply) await tx.delete(chatMessages).where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.id, failedReply.id)));
    return row;
  });
}

export async function findReply(ctx: Pick<Context, "db">, visitor: VisitorClaims, userMessageId: string) {
  const [reply] = await ctx.db
    .select()
    .from(chatMessages)
    .where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.replyToId, userMessageId)));
  return reply;
}

/** The conversation before this message, oldest first, without failed answers. */
async function loadHistoryBefore(ctx: Context, userMessage: StoredMessage) {
  const rows = await ctx.db
    .select({ role: chatMessages.role, content: chatMessages.content })
    .from(chatMessages)
    .where(
      scopedTo(
        userMessage.organizationId,
        chatMessages,
        eq(chatMessages.sessionId, userMessage.sessionId),
        lt(chatMessages.createdAt, userMessage.createdAt),
        inArray(chatMessages.status, ["complete", "partial"]),
      ),
    )
    .orderBy(desc(chatMessages.createdAt))
    .limit(HISTORY_LIMIT);
  return rows.reverse();
}
