import { describe, expect, it } from "vitest";

import { DomainError } from "../errors";
import { decodeCursor, encodeCursor, pageOf } from "./cursor";

const key = { at: "2025-01-02T03:04:05.123456Z", id: "0b7c7d8e-1f2a-4b3c-8d4e-5f6a7b8c9d0e" };

describe("pagination cursors", () => {
  it("round-trip to the microsecond", () => {
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
  });

  it("refuse anything that is not one of ours", () => {
    for (const bad of ["", "nope", Buffer.from("2025-01-02|x").toString("base64url"), encodeCursor({ ...key, at: "2025-01-02T03:04:05Z" }), encodeCursor({ ...key, id: `${key.id}|x` })]) {
      expect(() => decodeCursor(bad), bad).toThrow(DomainError);
    }
  });

  it("refuse a timestamp of the right shape that is no real instant (Postgres would refuse it in the query)", () => {
    for (const at of ["2025-13-45T99:99:99.999999Z", "0000-01-01T00:00:00.000000Z", "2023-02-29T00:00:00.000000Z", "2025-01-01T24:00:00.000000Z", "1969-12-31T23:59:59.999999Z"]) {
      const bad = encodeCursor({ ...key, at });
      expect(() => decodeCursor(bad), bad).toThrow(DomainError);
    }
  });

  it("give a next cursor only when a row beyond the page was found", () => {
    const rows = [1, 2, 3].map((n) => ({ n, key: { ...key, at: `2025-01-0${n}T00:00:00.000000Z` } }));
    expect(pageOf(rows.slice(0, 2), 2, (r) => r.key).nextCursor).toBeNull();
    const page = pageOf(rows, 2, (r) => r.key);
    expect(page.items.map((r) => r.n)).toEqual([1, 2]);
    expect(decodeCursor(page.nextCursor!)).toEqual(rows[1]!.key);
  });
});
