import { and, eq, isNull, lt, or, sql, type SQL } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { loginThrottles } from "@leadline/db/schema";

import type { Logger } from "../context";
import { EMAIL_WATCH, THROTTLE, type ThrottleRule } from "./policy";
import { throttleKeyOfIp } from "./request";

type Scope = "ip_email" | "ip" | "email";
/** One counter's share of an attempt; lockedByThis: the attempt started a lock, which a success takes back. */
type Count = { scope: Scope; key: string; failures: number; lockedByThis: boolean };

/** A password attempt: refused (with how long to wait), or allowed and already counted as a failure until recordLoginSuccess. */
export type LoginAttempt = { refused: true; retryAfterSeconds: number } | { refused: false; counts: Count[] };

const t = loginThrottles;
const seconds = (n: number) => sql`make_interval(secs => ${n})`;
/** A counter's rule; without a lock it only counts (the email's). */
type CountRule = Pick<ThrottleRule, "windowSeconds"> & { lock?: ThrottleRule };

/**
 * Counts an attempt for the address, the address+email and the email before
 * the password is checked, so that parallel guesses cannot all slip in under
 * a limit (each count is one atomic upsert). The attempt is
 * refused when the address or the address+email is locked; the email's
 * count never refuses (see THROTTLE in policy.ts for why).
 */
export async function claimLoginAttempt(deps: { db: Database; log: Logger }, who: { email: string; ip: string | null }): Promise<LoginAttempt> {
  // Callers without a known address (no socket peer) share one address between them.
  const address = who.ip ? throttleKeyOfIp(who.ip) : "unknown";
  const { db } = deps;
  const [pair, ip, email] = await Promise.all([
    countAttempt(db, "ip_email", `${address}|${who.email}`, { windowSeconds: THROTTLE.ip_email.windowSeconds, lock: THROTTLE.ip_email }),
    countAttempt(db, "ip", address, { windowSeconds: THROTTLE.ip.windowSeconds, lock: THROTTLE.ip }),
    countAttempt(db, "email", who.email, { windowSeconds: EMAIL_WATCH.windowSeconds }),
  ]);
  if (email.counted && email.failures === EMAIL_WATCH.warnAt) {
    deps.log.warn({ email: who.email, failures: email.failures, windowMinutes: EMAIL_WATCH.windowSeconds / 60 }, "many failed logins for one email: guessing from many addresses?");
  }

  const refusals = [pair, ip].filter((c) => !c.counted);
  if (refusals.length > 0) {
    // A refused attempt checks no password: the address's counters get it back. The email's keeps it, as a sign of guessing.
    await Promise.all([pair, ip].flatMap((c) => (c.counted ? [giveBack(db, c)] : [])));
    return { refused: true, retryAfterSeconds: Math.max(...refusals.map((c) => c.retryAfterSeconds)) };
  }
  return { refused: false, counts: [pair, ip, email].filter((c) => c.counted) };
}

/**
 * The password was right: the address+email starts afresh; the address and
 * the email only get this attempt back (an address is shared, and the
 * email's count is other people's guesses too).
 */
export async function recordLoginSuccess(db: Database, attempt: LoginAttempt): Promise<void> {
  if (attempt.refused) return;
  await Promise.all(attempt.counts.map((c) => (c.scope === "ip_email" ? db.delete(t).where(and(eq(t.scope, c.scope), eq(t.key, c.key))) : giveBack(db, c))));
  // Counters whose streak and any lock are long over are the same as none: drop them now and then.
  const longest = Math.max(EMAIL_WATCH.windowSeconds, ...Object.values(THROTTLE).map((r) => r.windowSeconds + r.maxLockSeconds));
  const old = sql`now() - ${seconds(longest)}`;
  await db.delete(t).where(and(lt(t.windowStartedAt, old), or(isNull(t.lockedUntil), lt(t.lockedUntil, old))));
}

type Counted = ({ counted: true } & Count) | { counted: false; retryAfterSeconds: number };

/**
 * One counter, in one statement. A locked counter is left as it is (the
 * upsert's WHERE fails and returns no row): the attempt is refused, not
 * counted. Otherwise the failure is counted, and from freeFailures on each
 * attempt locks the counter for twice as long as the one before, so the
 * next attempt waits. A streak is forgotten windowSeconds after it began,
 * or after its last lock ended.
 */
async function countAttempt(db: Database, scope: Scope, key: string, rule: CountRule): Promise<Counted & { scope: Scope; key: string }> {
  const forgotten = sql`coalesce(${t.lockedUntil}, ${t.windowStartedAt}) <= now() - ${seconds(rule.windowSeconds)}`;
  const next = sql`(case when ${forgotten} then 1 else ${t.failures} + 1 end)`;
  const { lock } = rule;
  // From freeFailures on, firstLockSeconds doubled per failure beyond (the exponent capped before it overflows), up to maxLockSeconds.
  const lockAfter = (failures: SQL) =>
    lock ? sql`case when ${failures} >= ${lock.freeFailures} then now() + make_interval(secs => least(${lock.firstLockSeconds} * power(2, least(${failures} - ${lock.freeFailures}, 30)), ${lock.maxLockSeconds})) end` : sql`null`;
  const [row] = await db
    .insert(t)
    .values({ scope, key, failures: 1, lockedUntil: lockAfter(sql`1`) })
    .onConflictDoUpdate({
      target: [t.scope, t.key],
      set: {
        failures: next,
        windowStartedAt: sql`case when ${forgotten} then now() else ${t.windowStartedAt} end`,
        // A lock that has ended stays as the streak's memory (see forgotten) until a new one replaces it.
        lockedUntil: sql`coalesce(${lockAfter(next)}, case when not ${forgotten} then ${t.lockedUntil} end)`,
      },
      setWhere: sql`${t.lockedUntil} is null or ${t.lockedUntil} <= now()`,
    })
    .returning({ failures: t.failures, lockedByThis: sql<boolean>`coalesce(${t.lockedUntil} > now(), false)` });
  if (row) return { counted: true, scope, key, ...row };

  const [held] = await db
    .select({ seconds: sql<number>`greatest(extract(epoch from ${t.lockedUntil} - now()), 0)::float8` })
    .from(t)
    .where(and(eq(t.scope, scope), eq(t.key, key)));
  return { counted: false, scope, key, retryAfterSeconds: held?.seconds ?? 0 };
}

/** Takes one attempt back from a counter, and the lock it started: the attempt turned out not to be a failure. */
async function giveBack(db: Database, c: Count) {
  await db
    .update(t)
    .set({
      failures: sql`greatest(${t.failures} - 1, 0)`,
      // Ended rather than removed: an earlier lock's end is what the streak's memory counts from.
      ...(c.lockedByThis ? { lockedUntil: sql`now()` } : {}),
    })
    .where(and(eq(t.scope, c.scope), eq(t.key, c.key)));
}
