import { and, eq } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { chatMessages, chatSessions, sites } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import { defaultFlags, isFlagName, type FlagName } from "@leadline/flags/definitions";

import type { PostProcessJob } from "./jobs";
import type { MessageFacts } from "./stage";

/** Rebuilds a message's facts from the database, for the worker (the request that produced them is gone). */
export async function loadMessageFacts(db: Database, job: PostProcessJob): Promise<MessageFacts | null> {
  const [row] = await db
    .select({ reply: chatMessages, session: chatSessions, qualification: sites.qualificationSettings })
    .from(chatMessages)
    .innerJoin(chatSessions, and(eq(chatSessions.id, chatMessages.sessionId), eq(chatSessions.organizationId, chatMessages.organizationId)))
    .innerJoin(sites, eq(sites.id, chatSessions.siteId))
    .where(scopedTo(job.organizationId, chatMessages, eq(chatMessages.id, job.messageId)));
  if (!row?.reply.replyToId) return null;
  const [user] = await db
    .select({ id: chatMessages.id, content: chatMessages.content })
    .from(chatMessages)
    .where(scopedTo(job.organizationId, chatMessages, eq(chatMessages.id, row.reply.replyToId)));
  if (!user) return null;
  const flags = Object.fromEntries(Object.entries(job.flags).filter(([name]) => isFlagName(name))) as Partial<Record<FlagName, boolean>>;
  return {
    organizationId: job.organizationId,
    siteId: row.session.siteId,
    sessionId: row.session.id,
    visitorId: row.session.visitorId,
    userMessage: user,
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
