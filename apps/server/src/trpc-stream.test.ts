import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { initTRPC, TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

import { createTrpcHandler, type ReadRequest } from "./trpc-handler";
import { readBodyWithin } from "./trpc-guards";

const t = initTRPC.context<{ user: string }>().create({
  errorFormatter: ({ shape, error }) => ({ ...shape, data: { ...shape.data, why: error.cause instanceof Error ? error.cause.message : null } }),
});
const finished: string[] = [];
const router = t.router({
  talk: t.procedure.input(z.object({ n: z.number(), fail: z.enum(["before", "midway"]).optional() })).mutation(async function* ({ input, ctx, signal }) {
    if (input.fail === "before") throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "slow down", cause: new Error("limit") });
    try {
      yield { type: "ack", user: ctx.user };
      for (let i = 0; i < input.n; i += 1) {
        await new Promise((r) => setTimeout(r, 5));
        if (signal?.aborted) return;
        yield { type: "token", text: `t${i} "quoted" é` };
      }
      if (input.fail === "midway") throw new Error("broke");
      yield { type: "done", extra: undefined };
    } finally {
      finished.push(`talk ${input.n}${signal?.aborted ? " aborted" : ""}`);
    }
  }),
  plain: t.procedure.input(z.object({ n: z.number() })).mutation(({ input }) => ({ doubled: input.n * 2 })),
  nothing: t.procedure.mutation(() => undefined),
});

/** One server per way of answering: trpc-stream.ts for the listed procedures, or tRPC's resolveResponse for all. */
async function serve(streamed: string[]) {
  const handle = createTrpcHandler(router, { basePath: "/trpc/", streamed: new Set(streamed), onFault: () => {} });
  const server = createServer((req, res) => {
    void readBodyWithin(req, 1_000_000).then(() => handle(req as ReadRequest, res, { user: "ann" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

let ours: Server;
let trpcs: Server;
beforeAll(async () => {
  ours = await serve(["talk", "plain", "nothing"]);
  trpcs = await serve([]);
});
afterAll(async () => {
  for (const server of [ours, trpcs]) await new Promise((r) => server.close(r));
});

async function call(server: Server, path: string, input: unknown) {
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc/${path}?batch=1`, {
    method: "POST",
    headers: { "content-type": "application/json", "trpc-accept": "application/jsonl" },
    body: JSON.stringify({ 0: input }),
  });
  const lines = (await response.text()).split("\n").map((line) => (line ? withoutStacks(JSON.parse(line)) : line));
  return { status: response.status, type: response.headers.get("content-type"), vary: response.headers.get("vary"), lines };
}

/** Error shapes carry their stack (tRPC's isDev): where it was thrown from differs, the rest must not. */
function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "stack").map(([key, item]) => [key, withoutStacks(item)]));
}

describe("a streamed call written by trpc-stream.ts", () => {
  const cases: [string, string, unknown][] = [
    ["an answer of several events", "talk", { n: 3 }],
    ["a refusal before the stream", "talk", { n: 1, fail: "before" }],
    ["an input tRPC refuses", "talk", { n: "three" }],
    ["an error midway", "talk", { n: 2, fail: "midway" }],
    ["an answer that is no stream", "plain", { n: 21 }],
    ["an answer of nothing", "nothing", undefined],
  ];
  it.each(cases)("is, line by line, what tRPC's own producer writes: %s", async (_name, path, input) => {
    const [mine, theirs] = await Promise.all([call(ours, path, input), call(trpcs, path, input)]);
    expect(mine).toEqual(theirs);
    expect(mine.status).toBe(200);
  });

  it("sends each event as the procedure yields it, not at the end", async () => {
    const port = (ours.address() as AddressInfo).port;
    const arrivals: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ port, method: "POST", path: "/trpc/talk?batch=1", headers: { "content-type": "application/json", "trpc-accept": "application/jsonl" } }, (res) => {
        res.on("data", () => arrivals.push(performance.now())).on("end", resolve).on("error", reject);
      });
      req.end(JSON.stringify({ 0: { n: 20 } }));
    });
    // 20 tokens 5 ms apart: the first bytes come long before the last.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(50);
  });

  it("a client that leaves aborts the procedure's signal and ends its generator", async () => {
    const port = (ours.address() as AddressInfo).port;
    await new Promise<void>((resolve) => {
      const req = request({ port, method: "POST", path: "/trpc/talk?batch=1", headers: { "content-type": "application/json", "trpc-accept": "application/jsonl" } }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => {});
      req.end(JSON.stringify({ 0: { n: 1000 } }));
    });
    await expect.poll(() => finished).toContain("talk 1000 aborted");
  });
});
