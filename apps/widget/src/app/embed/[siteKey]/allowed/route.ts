/**
 * Asked by /loader.js before it shows anything: may the page it runs on (the
 * request's Origin) show this site's chat? So a page left out of the site's
 * allowed origins gets a console message instead of a frame the browser
 * refuses. Advisory only: the embed page's frame-ancestors is the enforcement.
 *
 * POST, not GET: browsers send Origin on every POST, but none on a same-origin
 * GET (the widget's own /demo page). Any page may ask, so `*`, no credentials.
 */
import { siteKey as siteKeySchema } from "@leadline/validators/chat";

import { framingOriginsOf, loadSitePolicy } from "../../../../embedding/site-policy";

export type EmbedCheck = { allowed: boolean; reason?: "not-listed" | "unknown-site" | "unavailable" };

const HEADERS = { "access-control-allow-origin": "*", "cache-control": "no-store", vary: "origin" };

export async function POST(request: Request, { params }: { params: Promise<{ siteKey: string }> }) {
  const siteKey = siteKeySchema.safeParse((await params).siteKey);
  if (!siteKey.success) return answer(404, { allowed: false, reason: "unknown-site" });
  const policy = await loadSitePolicy(siteKey.data);
  if (policy.kind === "unknown") return answer(404, { allowed: false, reason: "unknown-site" });
  if (policy.kind === "unavailable") return answer(503, { allowed: false, reason: "unavailable" });
  const origin = request.headers.get("origin");
  const allowed = origin !== null && framingOriginsOf(policy).includes(origin);
  return answer(200, allowed ? { allowed } : { allowed, reason: "not-listed" });
}

function answer(status: number, body: EmbedCheck) {
  return Response.json(body, { status, headers: HEADERS });
}
