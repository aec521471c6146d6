/**
 * Parameters for the worker's batched statements: a batch's rows travel as
 * one JSON parameter (read back with jsonb_to_recordset) and its ids as one
 * array parameter, so a statement costs the same to build for one message
 * or a hundred. drizzle's builders pay for every value of every row.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids as a Postgres array literal, for `= any(${uuidArray(ids)}::uuid[])`. */
export function uuidArray(ids: readonly string[]): string {
  for (const id of ids) if (!UUID.test(id)) throw new Error(`not a uuid: ${JSON.stringify(id)}`);
  return `{${ids.join(",")}}`;
}

/** Rows as JSON text, for `jsonb_to_recordset(${recordsOf(rows)}::jsonb) as r(column type, …)`. */
export function recordsOf(rows: readonly object[]): string {
  return JSON.stringify(rows);
}
