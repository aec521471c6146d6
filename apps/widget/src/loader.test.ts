import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

import { describe, expect, it } from "vitest";

const source = readFileSync(new URL("../public/loader.js", import.meta.url), "utf8");

describe("/loader.js", () => {
  it("stays under 5 KB gzipped, since every page of every customer downloads it", () => {
    expect(gzipSync(source, { level: 9 }).byteLength).toBeLessThan(5 * 1024);
  });

  it("is a classic script (no import/export), so a plain <script async> tag can run it", () => {
    expect(() => new Function(source)).not.toThrow();
  });
});
