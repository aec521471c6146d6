import { SESSION_COOKIE } from "./policy";

/** Parses a Cookie request header. The first of two cookies with one name wins, as in browsers' ordering (most specific path first). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!name || Object.hasOwn(cookies, name)) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

/**
 * The session cookie's Set-Cookie value.
 *
 * - HttpOnly: page scripts (an XSS) cannot read the token.
 * - SameSite=Lax: not sent on cross-site subrequests or POSTs, so another site
 *   cannot make the browser act with it. "Site" ignores the port, so the admin
 *   app on http://localhost:3001 calling the API on http://localhost:4000 is
 *   same-site and the cookie goes along (the client must fetch with
 *   credentials: "include"). Strict would add nothing for those fetch calls,
 *   but would drop the cookie on the top-level navigation that opens the admin
 *   app from a link (an alert email, Slack), so a server-rendered first page
 *   would look logged out. Cross-origin but same-site callers (the widget's
 *   origin, a sibling subdomain) do get the cookie: the Origin check on admin
 *   calls (see ./origin) is what stops them.
 * - Secure whenever the browser reached us over https.
 * - Path=/ and no Domain: only this host gets it back.
 * - Max-Age: the session's absolute limit; the server enforces the idle limit.
 */
export function sessionCookie(token: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return serialize(token, options.maxAgeSeconds, options.secure);
}

/** A Set-Cookie value that makes the browser forget the session cookie. */
export function clearedSessionCookie(options: { secure: boolean }): string {
  return serialize("", 0, options.secure);
}

function serialize(value: string, maxAgeSeconds: number, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}
