/**
 * The CSRF rule for admin calls. The session cookie is SameSite=Lax, so other
 * sites' pages cannot use it; but the same site can be other origins (the
 * widget's, a sibling subdomain, another port of localhost), and those do
 * send it. Browsers put an Origin header on every cross-origin request and on
 * every POST, and page scripts cannot forge it: so a call whose Origin is
 * present must come from the admin app. No Origin means no browser page
 * (curl, the admin app's own server), which a cookie-riding attack cannot be.
 */
export function isAllowedAdminOrigin(origin: string | null, adminOrigins: readonly string[] | undefined): boolean {
  return origin === null || (adminOrigins ?? []).includes(origin);
}
