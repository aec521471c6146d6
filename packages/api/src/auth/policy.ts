/** How long an admin stays logged in, and how hard guessing a password is made. */

export const SESSION_COOKIE = "leadline_admin";

/** A session not used for this long ends… */
export const SESSION_IDLE_SECONDS = 12 * 3600;
/** …and none outlives this, however busy. */
export const SESSION_MAX_SECONDS = 7 * 24 * 3600;
/** last_seen_at and the idle expiry move at most this often: one write a minute, not one per request. */
export const SESSION_SLIDE_EVERY_SECONDS = 60;

export type ThrottleRule = {
  /** Failures a streak may have before attempts are rationed. */
  freeFailures: number;
  /** A streak is forgotten after this long without a failure (or since its last lock ended). */
  windowSeconds: number;
  /** The attempt that reaches freeFailures locks for this long; each later one for twice the last… */
  firstLockSeconds: number;
  /** …up to this. */
  maxLockSeconds: number;
};

/**
 * Failures are counted where the guesser is, never only where the victim is.
 * A lock on an email alone (the old rule) let anyone who knew an admin's
 * email lock that admin out from everywhere; a lock on an address only stops
 * that address, so the owner elsewhere always gets in.
 *
 * - ip_email, one address guessing one email: five failures, then one
 *   attempt per lock, each lock twice the last (1, 2, 4 … 60 minutes). A
 *   success starts it afresh, so the owner's own typos cost nothing lasting,
 *   and the streak can be long (a day) without hurting anyone.
 * - ip, one address spraying many emails: looser, since an office or a
 *   carrier NAT shares one address; a success only takes its own attempt back.
 *
 * Either lock refuses even the right password from that address (otherwise
 * the lock would be a free oracle for the guesser). An IPv6 address counts
 * by its /64 (see request.ts).
 *
 * No limit is per email alone. Whatever a per-email limit does to slow a
 * guesser who spreads over many addresses (refuse, or queue attempts one at
 * a time), it does to the owner first, and that is the lockout this design
 * exists to prevent; a delay that refuses no one slows nobody, since a
 * botnet does not wait for one answer before sending the next. So the count
 * per email (EMAIL_WATCH) refuses nothing: it makes a distributed attack
 * visible in the logs. What holds such an attack off is argon2id's cost per
 * guess and the per-address limits, which make every extra guess cost the
 * attacker another address (another /64).
 */
export const THROTTLE: Record<"ip_email" | "ip", ThrottleRule> = {
  ip_email: { freeFailures: 5, windowSeconds: 24 * 3600, firstLockSeconds: 60, maxLockSeconds: 3600 },
  ip: { freeFailures: 20, windowSeconds: 3600, firstLockSeconds: 60, maxLockSeconds: 3600 },
};

/** Failures for one email from anywhere: counted over the window, logged when they reach warnAt. Never a refusal. */
export const EMAIL_WATCH = { windowSeconds: 3600, warnAt: 50 };

export const MESSAGES = {
  invalidLogin: "Invalid email or password",
  notLoggedIn: "Not logged in",
  viewerCannotWrite: "Viewers cannot change anything",
  foreignOrigin: "Admin calls are only accepted from the admin app",
} as const;

/** The refusal of a locked address: how long to wait, in whole minutes rounded up. */
export function describeLock(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many failed attempts from this address. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
