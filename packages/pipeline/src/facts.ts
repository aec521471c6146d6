import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import type { QualificationSettings } from "@leadline/db/schema";
import { organizationIdOf } from "@leadline/db/tenant";
import { defaultFlags, isFlagName, type FlagName } from "@leadline/flags/definitions";

import { uuidArray } from "./batch-sql";
import type { PostProcessJob } from "./jobs";
import type { MessageFacts } from "./stage";

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
      const rows = await db.execute<FactsRow>(sql`
        select r.id, r.content, r.status, r.model, r.prompt_tokens, r.cached_prompt_tokens, r.completion_tokens, r.usage_estimated,
          s.id as session_id, s.site_id, s.visitor_id, site.qualification_settings, u.id as user_id, u.content as user_content
        from chat_messages r
        join chat_sessions s on s.id = r.session_id and s.organization_id = r.organization_id
        join sites site on site.id = s.site_id
        join chat_messages u on u.id = r.reply_to_id and u.organization_id = r.organization_id
        where r.organization_id = ${organizationIdOf(organizationId)} and r.id = any(${uuidArray(group.map((job) => job.messageId))}::uuid[])`);
      const jobOf = new Map(group.map((job) => [job.messageId, job]));
      for (const row of rows) {
        const job = jobOf.get(row.id);
        if (job) found.set(job.messageId, factsOf(job, row));
      }
    }),
  );
  return found;
}

type FactsRow = {
  id: string;
  content: string;
  status: MessageFacts["reply"]["status"];
  model: string | null;
  prompt_tokens: number | null;
  cached_prompt_tokens: number | null;
  completion_tokens: number | null;
  usage_estimated: boolean;
  session_id: string;
  site_id: string;
  visitor_id: string;
  qualification_settings: QualificationSettings;
  user_id: string;
  user_content: string;
};

function factsOf(job: PostProcessJob, row: FactsRow): MessageFacts {
  const flags = Object.fromEntries(Object.entries(job.flags).filter(([name]) => isFlagName(name))) as Partial<Record<FlagName, boolean>>;
  return {
    organizationId: job.organizationId,
    siteId: row.site_id,
    sessionId: row.session_id,
    visitorId: row.visitor_id,
    userMessage: { id: row.user_id, content: row.user_content },
    reply: {
      id: row.id,
      content: row.content,
      status: row.status,
      model: row.model ?? "unknown",
      usage: {
        promptTokens: row.prompt_tokens ?? 0,
        cachedPromptTokens: row.cached_prompt_tokens ?? 0,
        completionTokens: row.completion_tokens ?? 0,
        estimated: row.usage_estimated,
      },
      committedAt: job.committedAt,
    },
    qualification: row.qualification_settings,
    complexity: job.complexity,
    flags: defaultFlags(flags),
  };
}
