import { eq, sql } from "drizzle-orm";

import { ensureDefaultAlertRules } from "./alert-rules";
import type { Database } from "./client";
import { hashPassword, verifyPassword } from "./password";
import { adminUsers, modelRates, organizations, sites } from "./schema/index";

export type SeedOptions = {
  /** Origins the demo site accepts chats from: the widget's own origin at least. */
  demoOrigins: string[];
  admin: { email: string; password: string };
};

/** List prices in USD per million tokens: input, cached input, output. */
export const MODEL_RATES = [
  { model: "gpt-4o-mini", input: "0.15", cachedInput: "0.075", output: "0.60" },
  { model: "gpt-4o", input: "2.50", cachedInput: "1.25", output: "10.00" },
  { model: "gpt-4.1-nano", input: "0.10", cachedInput: "0.025", output: "0.40" },
  { model: "gpt-4.1-mini", input: "0.40", cachedInput: "0.10", output: "1.60" },
  { model: "gpt-4.1", input: "2.00", cachedInput: "0.50", output: "8.00" },
] as const;

export const DEMO_SITE_KEY = "demo";

const DEMO_SYSTEM_PROMPT = [
  "You are the friendly sales assistant on Demo's website.",
  "Answer briefly. Learn the visitor's name, work email, company, budget and timeline, one question at a time,",
  "and never invent facts about pricing you were not given.",
].join(" ");

/**
 * Idempotent: creates what is missing, and otherwise only widens the demo
 * site's allowed origins and resets the admin password when it no longer matches.
 */
export async function seedDatabase(db: Database, options: SeedOptions) {
  return db.transaction(async (tx) => {
    await tx
      .insert(organizations)
      .values({ name: "Demo", slug: "demo" })
      .onConflictDoNothing({ target: organizations.slug });
    const [org] = await tx.select().from(organizations).where(eq(organizations.slug, "demo"));
    if (!org) throw new Error("seed: the Demo organization was not created");

    await tx
      .insert(sites)
      .values({
        organizationId: org.id,
        name: "Demo website",
        publicKey: DEMO_SITE_KEY,
        allowedOrigins: options.demoOrigins,
        theme: { title: "Chat with Demo", primaryColor: "#2563eb", position: "bottom-right" },
        greeting: "Hi! I'm Demo's assistant. What brings you here today?",
        systemPrompt: DEMO_SYSTEM_PROMPT,
        qualificationSettings: { qualifiedScore: 60, hotScore: 80 },
      })
      .onConflictDoUpdate({
        target: sites.publicKey,
        set: {
          allowedOrigins: sql`array(select distinct unnest(${sites.allowedOrigins} || excluded.allowed_origins))`,
        },
      });

    await ensureDefaultAlertRules(tx, [org.id]);

    for (const r of MODEL_RATES) {
      await tx
        .insert(modelRates)
        .values({ model: r.model, inputPerMillion: r.input, cachedInputPerMillion: r.cachedInput, outputPerMillion: r.output })
        .onConflictDoNothing({ target: modelRates.model });
    }

    const email = options.admin.email.toLowerCase();
    const [existing] = await tx.select().from(adminUsers).where(sql`lower(${adminUsers.email}) = ${email}`);
    if (!existing) {
      await tx.insert(adminUsers).values({
        organizationId: org.id,
        email,
        role: "admin",
        passwordHash: await hashPassword(options.admin.password),
      });
    } else if (!(await verifyPassword(existing.passwordHash, options.admin.password))) {
      await tx
        .update(adminUsers)
        .set({ passwordHash: await hashPassword(options.admin.password) })
        .where(eq(adminUsers.id, existing.id));
    }
    return { organizationId: org.id };
  });
}
