import { sql } from "drizzle-orm";

import { organizationIdOf } from "@leadline/db/tenant";

import { uuidArray } from "../batch-sql";
import { extractEntities, type Extraction } from "../domain/index";
import { byOrganization, type BatchableStage } from "../runner";
import type { StageContext } from "../stage";

/** How much of the conversation extraction reads: bounded, whatever the visitor sent. */
export const EXTRACTION_WINDOW = 20;

/** Contact details and qualification signals from the visitor's own messages (never the model's). */
export const extractEntitiesStage: BatchableStage = {
  name: "extract-entities",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: [],
  neededFrom: "complex",
  reads: ["chat_messages"],
  writes: [],
  timeoutMs: 2_000,
  run: (ctx) => extractFromSessions([ctx]),
  runBatch: (ctxs) => Promise.all([...byOrganization(ctxs)].map(([, group]) => extractFromSessions(group))).then(() => {}),
};

/** The latest user messages of the messages' sessions, then what they say. */
async function extractFromSessions(ctxs: readonly StageContext[]) {
  const [first] = ctxs;
  if (!first) return;
  const texts = await latestUserMessages(first.db, first.facts.organizationId, ctxs.map((ctx) => ctx.facts.sessionId));
  for (const ctx of ctxs) ctx.state.entities = extractFromTexts(texts.get(ctx.facts.sessionId) ?? []);
}

/** Each session's latest user messages (at most EXTRACTION_WINDOW), oldest first: one query for all of them. */
export async function latestUserMessages(db: StageContext["db"], organizationId: string, sessionIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await db.execute<{ session_id: string; content: string }>(sql`
    select session_id, content from (
      select session_id, content, created_at, row_number() over (partition by session_id order by created_at desc) as rank
      from chat_messages
      where organization_id = ${organizationIdOf(organizationId)} and session_id = any(${uuidArray([...new Set(sessionIds)])}::uuid[]) and role = 'user'
    ) latest
    where rank <= ${EXTRACTION_WINDOW}
    order by created_at`);
  const texts = new Map<string, string[]>();
  for (const row of rows) (texts.get(row.session_id) ?? texts.set(row.session_id, []).get(row.session_id)!).push(row.content);
  return texts;
}

/**
 * What a conversation's user messages say, later ones overriding earlier
 * ones field by field (as extractEntities reads them). Each message is read
 * once: a session's earlier messages come back with every reply, so what one
 * says is kept by its text.
 */
function extractFromTexts(texts: readonly string[]): Extraction {
  const result: Extraction = { contact: {}, signals: {}, found: [] };
  for (const text of texts) {
    let read = readings.get(text);
    if (read) readings.delete(text); // kept as the most recently used
    else read = extractEntities([{ role: "user", content: text }]);
    readings.set(text, read);
    if (readings.size > MAX_READINGS) readings.delete(readings.keys().next().value!);
    Object.assign(result.contact, read.contact);
    Object.assign(result.signals, read.signals);
    result.found = read.found;
  }
  return { contact: { ...result.contact }, signals: { ...result.signals }, found: [...result.found] };
}

/** Texts kept: a few thousand covers every active session's window; a message is at most MAX_MESSAGE_CHARS. */
const MAX_READINGS = 5_000;
const readings = new Map<string, Extraction>();
