/**
 * HTTP requests for the fuzz test: every procedure of the router, as a
 * well-formed call, in batches, and with the method, content type, body or
 * URL wrong. Inputs come from fuzz-inputs.ts.
 */
import fc from "fast-check";
import type { z } from "zod";

import { breakOneField, hostileValue, inputSchemaOf, validLooking, type KnownValues } from "./fuzz-inputs";

export type FuzzRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** How many procedure calls it carries (a batch carries several). */
  calls: number;
  /** Its own connection: the request may leave a kept-alive one unusable. */
  fresh?: boolean;
};

export type Procedure = { path: string; type: "query" | "mutation"; input: fc.Arbitrary<unknown> };

export type FuzzContext = {
  known: KnownValues;
  widgetOrigin: string;
  adminOrigin: string;
  adminCookie: string;
  /** Never sent with the admin's cookie: they would end its session or change its password. */
  anonymousOnly: ReadonlySet<string>;
  /** Procedures that answer with a stream: called as httpBatchStreamLink calls them. */
  streamed: ReadonlySet<string>;
};

type RouterProcedure = { _def: { type: string; inputs: z.ZodType[] } };

/** Every query and mutation of the router, each with inputs from valid to hostile. */
export function listProcedures(procedures: Record<string, unknown>, known: KnownValues): Procedure[] {
  return Object.entries(procedures as Record<string, RouterProcedure>)
    .filter(([, p]) => p._def.type === "query" || p._def.type === "mutation")
    .map(([path, p]) => {
      const schema = inputSchemaOf(p._def.inputs);
      const valid = schema ? validLooking(schema, known) : fc.constant(undefined);
      const input = fc.oneof(
        { weight: 3, arbitrary: valid },
        { weight: 5, arbitrary: valid.chain(breakOneField) },
        { weight: 1, arbitrary: hostileValue },
        { weight: 1, arbitrary: fc.constant(undefined) },
      );
      return { path, type: p._def.type as Procedure["type"], input };
    });
}

const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));
const queryString = (params: Record<string, string | undefined>) => {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined);
  return pairs.length ? `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join("&")}` : "";
};

function headersFor(procedure: string, ctx: FuzzContext): fc.Arbitrary<Record<string, string>> {
  const own = procedure.startsWith("chat.") ? ctx.widgetOrigin : ctx.adminOrigin;
  const origin = fc.oneof({ weight: 8, arbitrary: fc.constant(own) }, { weight: 1, arbitrary: fc.constantFrom(undefined, "https://evil.example", "null", ctx.widgetOrigin, ctx.adminOrigin) });
  const cookie = ctx.anonymousOnly.has(procedure)
    ? fc.constant(undefined)
    : fc.oneof({ weight: 7, arbitrary: fc.constant(ctx.adminCookie) }, { weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom("leadline_admin=forged", "leadline_admin=; x=\u00ff", "=") });
  return fc.record({ origin, cookie }).map(({ origin, cookie }) => ({
    "content-type": "application/json",
    ...(origin ? { origin } : {}),
    ...(cookie ? { cookie } : {}),
  }));
}

/** The call as the apps' links make it. */
function wellFormed(p: Procedure, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(p.input, headersFor(p.path, ctx)).map(([input, headers]) => {
    if (ctx.streamed.has(p.path)) {
      return { method: "POST", path: `/trpc/${p.path}?batch=1`, headers: { ...headers, "trpc-accept": "application/jsonl" }, body: JSON.stringify({ 0: input }), calls: 1 };
    }
    if (p.type === "query") return { method: "GET", path: `/trpc/${p.path}${queryString({ input: json(input) })}`, headers, calls: 1 };
    return { method: "POST", path: `/trpc/${p.path}`, headers, body: json(input), calls: 1 };
  });
}

/** Up to a few more calls than a batch may hold, mostly of one kind; streamed or not. */
function batched(procedures: Procedure[], ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const withCookie = procedures.filter((p) => !ctx.anonymousOnly.has(p.path));
  const calls = fc.array(fc.constantFrom(...withCookie), { minLength: 1, maxLength: 24 }).chain((ps) => fc.tuple(fc.constant(ps), fc.tuple(...ps.map((p) => p.input))));
  return fc.tuple(calls, fc.boolean(), fc.boolean(), headersFor("batch", ctx)).map(([[ps, inputs], sameKind, stream, headers]) => {
    const chosen = sameKind ? ps.filter((p) => p.type === ps[0]!.type) : ps;
    const input = JSON.stringify(Object.fromEntries(chosen.map((_, i) => [i, inputs[i]])));
    const query = chosen.every((p) => p.type === "query");
    const path = `/trpc/${chosen.map((p) => p.path).join(",")}`;
    const streamed: Record<string, string> = stream ? { "trpc-accept": "application/jsonl" } : {};
    const origin = chosen[0]!.path.startsWith("chat.") ? ctx.widgetOrigin : ctx.adminOrigin;
    const common = { headers: { ...headers, origin, ...streamed }, calls: chosen.length };
    return query ? { method: "GET", path: `${path}${queryString({ batch: "1", input })}`, ...common } : { method: "POST", path: `${path}?batch=1`, body: input, ...common };
  });
}

const BAD_METHODS = ["PUT", "DELETE", "PATCH", "TRACE", "HEAD", "OPTIONS", "PROPFIND", "CONNECT", "FOO"];
const BAD_CONTENT_TYPES = ["text/plain", "multipart/form-data", "multipart/form-data; boundary=x", "application/octet-stream", "application/x-www-form-urlencoded", "APPLICATION/JSON", "application/json; charset=latin1", "application/jsonl", ""];
const BAD_BODIES = ["{", '{"0":', "[]", "null", "1e999999", '"\\ud800"', "\u0000", '{"a":1,"a":2}', " ".repeat(1_100_000), `{"x":"${"\\u0000".repeat(1000)}"}`];

/** The same calls with the request itself wrong. */
function malformed(p: Procedure, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const base = wellFormed(p, ctx);
  return fc.oneof(
    // The other method: GET for a mutation, POST for a query.
    base.map((r) => (r.method === "GET" ? { ...r, method: "POST", body: "{}" } : { ...r, method: "GET", body: undefined })),
    // A method tRPC does not serve; TRACE, HEAD and CONNECT carry no body (Node would read one as the next request).
    fc.tuple(base, fc.constantFrom(...BAD_METHODS)).map(([r, method]) => ({ ...r, method, body: ["TRACE", "HEAD", "CONNECT"].includes(method) ? undefined : r.body, fresh: true })),
    fc.tuple(base, fc.constantFrom(...BAD_CONTENT_TYPES)).map(([r, type]) => ({ ...r, method: "POST", headers: { ...r.headers, "content-type": type }, body: r.body ?? "{}" })),
    fc.tuple(base, fc.oneof(fc.constantFrom(...BAD_BODIES), fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)))).map(([r, body]) => ({ ...r, method: "POST", body })),
    fc.tuple(base, fc.constantFrom("%E0%A4%A", "%", "%7Bbad%20json", "[]", "%7B%220%22%3A1%7D", "undefined")).map(([r, input]) => ({ ...r, method: "GET", path: `/trpc/${p.path}?input=${input}`, body: undefined })),
    base.map((r) => ({ ...r, path: r.path.replace(`/trpc/${p.path}`, `/trpc/${p.path}.nope`) })),
  );
}

/** URLs that name no procedure, or name one badly. */
const oddPaths = fc.constantFrom("/trpc/", "/trpc/,,,", "/trpc/%E0%A4%A", "/trpc/..%2f..%2fetc", "/trpc/chat.send%2Cchat.send?batch=1", `/trpc/${"a".repeat(8_000)}`, "/trpc/system.status?batch=1&input=%5B%5D", "/trpc/system.status?batch=2");

export function fuzzRequests(procedures: Procedure[], ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const one = fc.constantFrom(...procedures);
  return fc.oneof(
    { weight: 5, arbitrary: one.chain((p) => wellFormed(p, ctx)) },
    { weight: 2, arbitrary: batched(procedures, ctx) },
    { weight: 3, arbitrary: one.chain((p) => malformed(p, ctx)) },
    { weight: 1, arbitrary: oddPaths.map((path) => ({ method: "GET", path, headers: { origin: ctx.adminOrigin, cookie: ctx.adminCookie }, calls: 1 })) },
  );
}
