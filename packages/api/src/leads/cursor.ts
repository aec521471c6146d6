import { sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

import { badRequest } from "../errors";

/**
 * Keyset pagination over (a timestamp desc, id desc). The cursor carries the
 * last row's timestamp as Postgres printed it, to the microsecond: a JS Date
 * keeps only milliseconds and would skip or repeat rows that share one.
 */
export type Keyset = { at: string; id: string };

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The exact UTC text of a timestamptz expression, for `encodeCursor`. */
export const exactTime = (expr: SQL | PgColumn): SQL<string> => sql<string>`to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function encodeCursor(key: Keyset): string {
  return Buffer.from(`${key.at}|${key.id}`).toString("base64url");
}

export const INVALID_CURSOR = "Invalid cursor: pass back the nextCursor of the previous page";

export function decodeCursor(cursor: string): Keyset {
  const [at = "", id = "", ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (rest.length > 0 || !isExactTime(at) || !isUuid(id)) throw badRequest(INVALID_CURSOR);
  return { at, id };
}

export const isUuid = (text: string): boolean => UUID.test(text);

/**
 * `exactTime`'s shape and a real instant since 1970. The shape alone lets
 * month 13, hour 99 or year 0000 through, which Postgres refuses when the
 * cursor reaches the query: a 500 for what is the caller's mistake.
 */
export function isExactTime(at: string): boolean {
  if (!AT.test(at)) return false;
  const [year, month, day, hour, minute, second] = at.split(/[-T:.Z]/).map(Number) as [number, number, number, number, number, number];
  if (year < 1970) return false;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second)).toISOString().slice(0, 19) === at.slice(0, 19);
}

/** `(time, id) < (cursor)`: the rows after the cursor in (time desc, id desc) order. */
export const after = (time: SQL | PgColumn, id: PgColumn, key: Keyset): SQL => sql`(${time}, ${id}) < (${key.at}::timestamptz, ${key.id}::uuid)`;

/** Takes one row more than the page to learn whether another page follows. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => Keyset): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
