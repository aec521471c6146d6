/**
 * Every page's CSP, set when the request arrives (see
 * embedding/security-headers.ts). A site's embed page may be framed by the
 * site's allowed origins only: the browser enforces it, since the API cannot
 * see which page frames the chat. Unknown site, or no answer from the API:
 * no page may frame it (fail closed).
 */
import { NextResponse, type NextRequest } from "next/server";

import { env } from "./env";
import { buildWidgetCsp, createNonce } from "./embedding/security-headers";
import { framingOriginsOf, loadSitePolicy } from "./embedding/site-policy";

const EMBED_PAGE = /^\/embed\/([A-Za-z0-9_-]{1,64})\/?$/;
const apiOrigin = new URL(env.API_URL).origin;

export async function proxy(request: NextRequest) {
  const siteKey = EMBED_PAGE.exec(request.nextUrl.pathname)?.[1];
  const frameAncestors = siteKey ? framingOriginsOf(await loadSitePolicy(siteKey)) : [];
  const csp = buildWidgetCsp({ nonce: createNonce(), apiOrigin, frameAncestors, dev: env.NODE_ENV === "development" });

  // Next reads the nonce for its own scripts from the request's CSP header.
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  // For browsers without frame-ancestors; not on embed pages, whose framing the CSP decides.
  if (!siteKey) response.headers.set("x-frame-options", "DENY");
  return response;
}

export const config = {
  matcher: [
    {
      // Documents only: static files need no CSP, and skipping them keeps them fast.
      source: "/((?!_next/static|_next/image|favicon.ico|icon.svg|loader.js).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
