import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

import { describe, expect, it, vi, type Mock } from "vitest";

const source = readFileSync(new URL("../public/loader.js", import.meta.url), "utf8");

describe("/loader.js", () => {
  it("stays under 5 KB gzipped, since every page of every customer downloads it", () => {
    expect(gzipSync(source, { level: 9 }).byteLength).toBeLessThan(5 * 1024);
  });

  it("is a classic script (no import/export), so a plain <script async> tag can run it", () => {
    expect(() => new Function(source)).not.toThrow();
  });
});

/** A stand-in for whatever the loader touches on a DOM node: every method exists and does nothing. */
function fakeNode(): Record<string, unknown> {
  const node: Record<string, unknown> = { style: { setProperty() {} }, classList: { toggle() {} } };
  for (const name of ["setAttribute", "addEventListener", "appendChild", "focus"]) node[name] = vi.fn();
  node.attachShadow = () => ({ set innerHTML(_: string) {}, querySelector: () => fakeNode() });
  return node;
}

/** Runs the loader as the page at `pageOrigin` would, the widget's check answering `answer`. */
async function runLoader(pageOrigin: string, answer: () => Promise<Response>) {
  const body = fakeNode();
  const warnings: string[] = [];
  const fetch = vi.fn(answer);
  const script = { src: "https://widget.example/loader.js", getAttribute: () => "acme" };
  const document = { currentScript: script, body, createElement: fakeNode, addEventListener() {}, querySelector: () => script };
  const console = { warn: (text: string) => warnings.push(text) };
  const window = { addEventListener() {}, console };
  new Function("window", "document", "location", "fetch", "console", source)(window, document, { origin: pageOrigin, href: `${pageOrigin}/` }, fetch, console);
  await vi.waitFor(() => expect(warnings.length + (body.appendChild as Mock).mock.calls.length).toBeGreaterThan(0));
  return { fetch, warnings, mounted: (body.appendChild as Mock).mock.calls.length > 0 };
}

const json = (status: number, body: object) => () => Promise.resolve(new Response(JSON.stringify(body), { status }));

describe("/loader.js asks first whether the page may show the chat", () => {
  it("asks the widget (POST, so the browser sends the page's Origin) and mounts the launcher when allowed", async () => {
    const run = await runLoader("https://acme.example", json(200, { allowed: true }));
    expect(run.fetch).toHaveBeenCalledWith("https://widget.example/embed/acme/allowed", { method: "POST" });
    expect(run.mounted).toBe(true);
    expect(run.warnings).toEqual([]);
  });

  it("a page outside the site's allowed origins: nothing mounted, the console names the origin, the site and what to do", async () => {
    const run = await runLoader("https://elsewhere.example", json(200, { allowed: false, reason: "not-listed" }));
    expect(run.mounted).toBe(false);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatch(/^Leadline: /);
    expect(run.warnings[0]).toContain('site "acme"');
    expect(run.warnings[0]).toContain("Add https://elsewhere.example to them");
  });

  it("an unknown key, or no answer: nothing mounted, and the console says why", async () => {
    const unknown = await runLoader("https://acme.example", json(404, { allowed: false, reason: "unknown-site" }));
    expect([unknown.mounted, unknown.warnings[0]]).toEqual([false, expect.stringContaining("check the data-site-key")]);
    const down = await runLoader("https://acme.example", () => Promise.reject(new TypeError("Failed to fetch")));
    expect([down.mounted, down.warnings[0]]).toEqual([false, expect.stringContaining("could not reach https://widget.example")]);
  });
});
