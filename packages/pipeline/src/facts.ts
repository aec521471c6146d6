import { and, eq, inArray } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import type { Database } from "@leadline/db/client";
import { chatMessages, chatSessions, sites } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import { defaultFlags, isFlagName, type FlagName } from "@leadline/flags/definitions";

import type { PostProcessJob } from "./jobs";
import type { MessageFacts } from "./stage";

const userMessages = alias(chatMessages, "user_message");

/**
 * Rebuilds a message's facts from the database, for the worker (the request
 * that produced them is gone): the reply, its session, site and the user
 * message it answers, in one query.
 */
export async function loadMessageFacts(db: Database, job: PostProcessJob): Promise<MessageFacts | null> {
  return (await loadManyMessageFacts(db, [job])).get(job.messageId) ?? null;
}

/** The facts of many messages, one query per organization among them; a message that is gone (deleted with its session) is missing from the map. */
export async function loadManyMessageFacts(db: Database, jobs: readonly PostProcessJob[]): Promise<Map<string, MessageFacts>> {
  const byOrganization = new Map<string, PostProcessJob[]>();
  for (const job of jobs) byOrganization.set(job.organizationId, [...(byOrganization.get(job.organizationId) ?? []), job]);
  const found = new Map<string, MessageFacts>();
  await Promise.all(
    [...byOrganization].map(async ([organizationId, group]) => {
      const rows = await db
        .select({ reply: chatMessages, session: chatSessions, qualification: sites.qualificationSettings, user: { id: userMessages.id, content: userMessages.content } })
        .from(chatMessages)
        .innerJoin(chatSessions, and(eq(chatSessions.id, chatMessages.sessionId), eq(chatSessions.organizationId, chatMessages.organizationId)))
        .innerJoin(sites, eq(sites.id, chatSessions.siteId))
        .innerJoin(userMessages, and(eq(userMessages.id, chatMessages.replyToId), eq(userMessages.organizationId, chatMessages.organizationId)))
        .where(scopedTo(organizationId, chatMessages, inArray(chatMessages.id, group.map((job) => job.messageId))));
      const jobOf = new Map(group.map((job) => [job.messageId, job]));
      for (const row of rows) {
        const job = jobOf.get(row.reply.id);
        if (job) found.set(job.messageId, factsOf(job, row));
      }
    }),
  );
  return found;
}

type FactsRow = {
  reply: typeof chatMessages.$inferSelect;
  session: typeof chatSessions.$inferSelect;
  qualification: MessageFacts["qualification"];
  user: MessageFacts["userMessage"];
};

function factsOf(job: PostProcessJob, row: FactsRow): MessageFacts {
  const flags = Object.fromEntries(Object.entries(job.flags).filter(([name]) => isFlagName(name))) as Partial<Record<FlagName, boolean>>;
  return {
    organizationId: job.organizationId,
    siteId: row.session.siteId,
    sessionId: row.session.id,
    visitorId: row.session.visitorId,
    userMessage: row.user,
    reply: {
      id: row.reply.id,
      content: row.reply.content,
      status: row.reply.status,
      model: row.reply.model ?? "unknown",
      usage: {
        promptTokens: row.reply.promptTokens ?? 0,
        cachedPromptTokens: row.reply.cachedPromptTokens ?? 0,
        completionTokens: row.reply.completionTokens ?? 0,
        estimated: row.reply.usageEstimated,
      },
      committedAt: job.committedAt,
    },
    qualification: row.qualification,
    complexity: job.complexity,
    flags: defaultFlags(flags),
  };
}
