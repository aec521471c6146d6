import { and, eq, lt, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { loginThrottles } from "@leadline/db/schema";

import { THROTTLE, type ThrottleRule } from "./policy";
import { throttleKeyOfIp } from "./request";

type Scope = "email" | "ip";
type Counter = { scope: Scope; key: string; failures: number };

/** A password attempt, already counted as a failure; a success is settled with recordLoginSuccess. */
export type LoginAttempt = { locked: false; counters: Counter[] } | { locked: true };

const t = loginThrottles;
const seconds = (n: number) => sql`make_interval(secs => ${n})`;
const lockedNow = sql<boolean>`coalesce(${t.lockedUntil} > now(), false)`;

/**
 * Counts an attempt for the email and for the client's IP before the
 * password is checked, so that parallel guesses cannot all slip in under the
 * limit; recordLoginSuccess takes it back. The first attempt beyond the limit
 * within a window is refused and locks the counter; while locked, attempts
 * are refused without being counted, and once the lock ends counting starts afresh.
 */
export async function claimLoginAttempt(db: Database, who: { email: string; ip: string | null }): Promise<LoginAttempt> {
  const keys: { scope: Scope; key: string }[] = [{ scope: "email", key: who.email }];
  if (who.ip) keys.push({ scope: "ip", key: throttleKeyOfIp(who.ip) });
  const rows = await Promise.all(keys.map(({ scope, key }) => countAttempt(db, scope, key, THROTTLE[scope])));

  const over = rows.filter((r) => !r.locked && r.failures > THROTTLE[r.scope].maxFailures);
  await Promise.all(over.map((r) => lock(db, r.scope, r.key, THROTTLE[r.scope])));
  if (over.length > 0 || rows.some((r) => r.locked)) return { locked: true };
  return { locked: false, counters: rows };
}

/** The password was right: the email starts afresh; the IP only gets this attempt back. */
export async function recordLoginSuccess(db: Database, attempt: LoginAttempt): Promise<void> {
  if (attempt.locked) return;
  await Promise.all(
    attempt.counters.map((c) =>
      c.scope === "email"
        ? db.delete(t).where(and(eq(t.scope, c.scope), eq(t.key, c.key)))
        : db
            .update(t)
            .set({ failures: sql`greatest(${t.failures} - 1, 0)` })
            .where(and(eq(t.scope, c.scope), eq(t.key, c.key))),
    ),
  );
  // Counters whose window and any lock are long over are the same as none: drop them now and then.
  const longest = Math.max(...Object.values(THROTTLE).map((r) => r.windowSeconds + r.lockSeconds));
  await db.delete(t).where(lt(t.windowStartedAt, sql`now() - ${seconds(longest)}`));
}

async function countAttempt(db: Database, scope: Scope, key: string, rule: ThrottleRule) {
  // A window that is over, or a lock that has ended, counts from zero again.
  const fresh = sql`(${t.windowStartedAt} <= now() - ${seconds(rule.windowSeconds)} or ${t.lockedUntil} <= now())`;
  const [row] = await db
    .insert(t)
    .values({ scope, key, failures: 1 })
    .onConflictDoUpdate({
      target: [t.scope, t.key],
      set: {
        failures: sql`case when ${lockedNow} then ${t.failures} when ${fresh} then 1 else ${t.failures} + 1 end`,
        windowStartedAt: sql`case when not ${lockedNow} and ${fresh} then now() else ${t.windowStartedAt} end`,
        lockedUntil: sql`case when ${lockedNow} then ${t.lockedUntil} end`,
      },
    })
    .returning({ failures: t.failures, locked: lockedNow });
  if (!row) throw new Error("login throttle: the upsert returned no row");
  return { scope, key, failures: row.failures, locked: row.locked };
}

async function lock(db: Database, scope: Scope, key: string, rule: ThrottleRule) {
  await db
    .update(t)
    .set({ lockedUntil: sql`now() + ${seconds(rule.lockSeconds)}` })
    .where(and(eq(t.scope, scope), eq(t.key, key), sql`not ${lockedNow}`));
}
