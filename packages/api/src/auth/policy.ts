/** How long an admin stays logged in, and how hard guessing a password is made. */

export const SESSION_COOKIE = "leadline_admin";

/** A session not used for this long ends… */
export const SESSION_IDLE_SECONDS = 12 * 3600;
/** …and none outlives this, however busy. */
export const SESSION_MAX_SECONDS = 7 * 24 * 3600;
/** last_seen_at and the idle expiry move at most this often: one write a minute, not one per request. */
export const SESSION_SLIDE_EVERY_SECONDS = 60;

export type ThrottleRule = { maxFailures: number; windowSeconds: number; lockSeconds: number };

/**
 * Per email: after 5 failed attempts within 15 minutes, the next one is
 * refused and locks the email for 15 minutes (whether or not anyone has it,
 * so a lock tells nothing). Per IP: a looser limit, since an office or a
 * carrier NAT shares one address, that still stops one machine from spraying
 * passwords over many emails. Either lock refuses even the right password.
 */
export const THROTTLE: Record<"email" | "ip", ThrottleRule> = {
  email: { maxFailures: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
  ip: { maxFailures: 20, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
};

export const MESSAGES = {
  invalidLogin: "Invalid email or password",
  locked: "Too many failed attempts. Try again later.",
  notLoggedIn: "Not logged in",
  viewerCannotWrite: "Viewers cannot change anything",
  foreignOrigin: "Admin calls are only accepted from the admin app",
} as const;
