/**
 * Every admin page's Content-Security-Policy, set when the request arrives:
 * it names the API's origin, which is the deployment's (API_URL), not the
 * build's, so next.config headers() cannot hold it.
 *
 * Scripts: a fresh nonce per request, not 'unsafe-inline'. The admin pages
 * show text strangers wrote (visitors' messages, leads' names); with a nonce,
 * markup that slipped through rendering still cannot run. Next puts the nonce
 * on its own scripts as every page renders per request (app/layout.tsx).
 * Styles: 'unsafe-inline', as React's style attributes need it; a style
 * cannot run code. No page may frame the admin app.
 */
import { NextResponse, type NextRequest } from "next/server";

import { env } from "./env";

const apiOrigin = new URL(env.API_URL).origin;

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${apiOrigin}`,
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  // Next reads the nonce for its own scripts from the request's CSP header.
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: [
    {
      // Documents only: static files need no CSP.
      source: "/((?!_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
