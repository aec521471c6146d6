import { desc, eq, inArray, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { chatMessages, chatSessions, sites, visitors, type QualificationSettings } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { countHit, type CacheHits, type PipelineCache } from "./cache";

/** Recent messages read for the model, at most; of those, the newest that fit HISTORY_TOKEN_BUDGET are sent. */
export const HISTORY_LIMIT = 20;

/**
 * Tokens of history sent with a new message, at most: a long conversation
 * costs the same per message as a short one, and a message's worst-case
 * price (its budget reservation) has a bound.
 */
export const HISTORY_TOKEN_BUDGET = 3_000;

export type Claims = { sessionId: string; siteId: string; organizationId: string };
export type StoredMessage = typeof chatMessages.$inferSelect;

/** What the model call needs, and the stored user message (null when the clientMessageId was already used). */
export type Turn = {
  session: { visitorId: string; systemPrompt: string; qualification: QualificationSettings } | null;
  inserted: StoredMessage | null;
  history: { role: "user" | "assistant"; content: string }[];
};

type NewMessage = { clientMessageId: string; text: string };

/**
 * The critical lookups before the model call, plus storing the user message
 * (idempotent on clientMessageId). Batched: one statement, one round trip.
 * Not batched: the plan's original, one query after another.
 */
export function loadTurn(db: Database, claims: Claims, message: NewMessage, batched: boolean, cached?: CachedLookups): Promise<Turn> {
  return batched ? loadTurnInOneStatement(db, claims, message) : loadTurnStepByStep(db, claims, message, cached);
}

/** With the cache flag on: where cached lookups come from, and where their hits are counted. */
export type CachedLookups = { cache: PipelineCache; hits: CacheHits };

/** What a site tells the model: its system prompt, and how its leads are qualified. */
export type SiteConfig = { systemPrompt: string; qualification: QualificationSettings };

async function loadSiteConfig(db: Database, claims: Claims): Promise<SiteConfig | undefined> {
  const [site] = await db
    .select({ systemPrompt: sites.systemPrompt, qualification: sites.qualificationSettings })
    .from(sites)
    .where(scopedTo(claims.organizationId, sites, eq(sites.id, claims.siteId)));
  return site;
}

/** The site's config from the cache (a site change invalidates it everywhere). */
export async function cachedSiteConfig(db: Database, cached: CachedLookups, claims: Claims): Promise<SiteConfig | undefined> {
  const config = await cached.cache.getWithSource("siteConfig", claims.organizationId, claims.siteId, () => loadSiteConfig(db, claims));
  countHit(cached.hits, "siteConfig", config.source);
  return config.value as SiteConfig | undefined;
}

async function loadTurnStepByStep(db: Database, claims: Claims, message: NewMessage, cached?: CachedLookups): Promise<Turn> {
  const [session] = await db
    .select({ visitorId: chatSessions.visitorId })
    .from(chatSessions)
    .where(scopedTo(claims.organizationId, chatSessions, eq(chatSessions.id, claims.sessionId), eq(chatSessions.siteId, claims.siteId)));
  if (!session) return { session: null, inserted: null, history: [] };
  const loadVisitor = async () =>
    (await db.select({ id: visitors.id }).from(visitors).where(scopedTo(claims.organizationId, visitors, eq(visitors.id, session.visitorId))))[0];
  let site: SiteConfig | undefined;
  if (cached) {
    const visitor = await cached.cache.getWithSource("visitors", claims.organizationId, session.visitorId, loadVisitor);
    countHit(cached.hits, "visitors", visitor.source);
    site = await cachedSiteConfig(db, cached, claims);
  } else {
    await loadVisitor();
    site = await loadSiteConfig(db, claims);
  }
  if (!site) return { session: null, inserted: null, history: [] };
  const history = await db
    .select({ role: chatMessages.role, content: chatMessages.content })
    .from(chatMessages)
    .where(scopedTo(claims.organizationId, chatMessages, eq(chatMessages.sessionId, claims.sessionId), inArray(chatMessages.status, ["complete", "partial"])))
    .orderBy(desc(chatMessages.createdAt))
    .limit(HISTORY_LIMIT);
  const [inserted] = await db
    .insert(chatMessages)
    .values({
      organizationId: claims.organizationId,
      sessionId: claims.sessionId,
      role: "user",
      content: message.text,
      clientMessageId: message.clientMessageId,
      answerStartedAt: sql`now()`,
    })
    .onConflictDoNothing({ target: [chatMessages.sessionId, chatMessages.clientMessageId] })
    .returning();
  return { session: { visitorId: session.visitorId, ...site }, inserted: inserted ?? null, history: history.reverse() };
}

/**
 * Session, site and history read, and the user message inserted, by one
 * statement. The history CTE reads the snapshot from before the insert, so
 * it never contains the new message.
 */
async function loadTurnInOneStatement(db: Database, claims: Claims, message: NewMessage): Promise<Turn> {
  const rows = await db.execute<{ session: Turn["session"] & object; inserted: Record<string, unknown> | null; history: Turn["history"] | null }>(sql`
    with s as (
      select cs.visitor_id, st.system_prompt, st.qualification_settings
      from chat_sessions cs join sites st on st.id = cs.site_id and st.organization_id = cs.organization_id
      where cs.id = ${claims.sessionId} and cs.organization_id = ${claims.organizationId} and cs.site_id = ${claims.siteId}
    ), ins as (
      insert into chat_messages (organization_id, session_id, role, content, client_message_id, answer_started_at)
      select ${claims.organizationId}, ${claims.sessionId}, 'user', ${message.text}, ${message.clientMessageId}, now() from s
      on conflict (session_id, client_message_id) do nothing
      returning *
    ), h as (
      select role, content, created_at from chat_messages
      where session_id = ${claims.sessionId} and organization_id = ${claims.organizationId} and status in ('complete', 'partial')
      order by created_at desc limit ${HISTORY_LIMIT}
    )
    select
      (select json_build_object('visitorId', visitor_id, 'systemPrompt', system_prompt, 'qualification', qualification_settings) from s) as session,
      (select row_to_json(ins) from ins) as inserted,
      (select json_agg(json_build_object('role', role, 'content', content) order by created_at) from h) as history
  `);
  const row = rows[0];
  if (!row?.session) return { session: null, inserted: null, history: [] };
  return { session: row.session, inserted: row.inserted ? toStoredMessage(row.inserted) : null, history: row.history ?? [] };
}

/** row_to_json gives snake_case keys and ISO strings: map to the drizzle row shape. */
function toStoredMessage(raw: Record<string, unknown>): StoredMessage {
  const date = (v: unknown) => (v ? new Date(String(v)) : null);
  return {
    id: String(raw.id),
    organizationId: String(raw.organization_id),
    sessionId: String(raw.session_id),
    role: raw.role as StoredMessage["role"],
    content: String(raw.content),
    status: raw.status as StoredMessage["status"],
    clientMessageId: (raw.client_message_id as string | null) ?? null,
    answerStartedAt: date(raw.answer_started_at),
    replyToId: (raw.reply_to_id as string | null) ?? null,
    model: (raw.model as string | null) ?? null,
    promptTokens: (raw.prompt_tokens as number | null) ?? null,
    cachedPromptTokens: (raw.cached_prompt_tokens as number | null) ?? null,
    completionTokens: (raw.completion_tokens as number | null) ?? null,
    usageEstimated: Boolean(raw.usage_estimated),
    errorCode: (raw.error_code as string | null) ?? null,
    createdAt: date(raw.created_at) ?? new Date(),
  };
}

