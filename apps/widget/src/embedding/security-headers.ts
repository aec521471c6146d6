/**
 * The widget's Content-Security-Policy, built per request: the API origin is
 * the deployment's and an embed page's frame-ancestors are its site's, so
 * neither can be fixed at build time (next.config headers() is).
 *
 * Scripts: a fresh nonce per request, not 'unsafe-inline'. The embed page
 * shows text strangers wrote (visitors' messages, the model's answers); with a
 * nonce, markup that slipped through rendering still cannot run. Next puts
 * the nonce on its own scripts when the page renders per request, which every
 * page of this app does (see app/layout.tsx). No 'strict-dynamic': the loader
 * on /demo is a plain same-origin tag that Next does not give the nonce to.
 *
 * Styles: 'unsafe-inline', as React's style attributes and the loader's shadow
 * DOM <style> need it; a style cannot run code.
 */
export type WidgetCspOptions = {
  nonce: string;
  /** Origin of the tRPC endpoint the browser calls. */
  apiOrigin: string;
  /** Pages that may frame this one: none unless it is a site's embed page. */
  frameAncestors: readonly string[];
  dev: boolean;
};

export function buildWidgetCsp({ nonce, apiOrigin, frameAncestors, dev }: WidgetCspOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${apiOrigin}`,
    // /demo frames the embed page, from this origin.
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(" ") : "'none'"}`,
  ].join("; ");
}

/** A nonce a page cannot guess: 128 random bits. */
export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
