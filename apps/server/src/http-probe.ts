/**
 * Raw HTTP requests for tests that send what no well-behaved client would:
 * methods fetch() refuses (TRACE), bodies the server stops reading, bytes that
 * are not JSON. Resolves with whatever the server answered, or "timeout".
 */
import { request, type Agent } from "node:http";

export type ProbeRequest = {
  method: string;
  /** Path and query, e.g. "/trpc/chat.send?batch=1". */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** Connect from this address (another 127.x.x.x looks like another client). */
  localAddress?: string;
};

export type ProbeResponse = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

/** `agent`: connections to reuse; without one each request has its own, so a request that breaks its connection breaks no other. */
export function probe(baseUrl: string, req: ProbeRequest, agent: Agent | false = false): Promise<ProbeResponse | "timeout"> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (value: ProbeResponse | "timeout" | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    const outgoing = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers, agent, localAddress: req.localAddress },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => settle({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (error) => settle(error));
      },
    );
    // A CONNECT's answer arrives as "connect", not "response".
    outgoing.on("connect", (res, socket) => {
      socket.destroy();
      settle({ status: res.statusCode ?? 0, headers: res.headers, text: "" });
    });
    const timer = setTimeout(() => {
      settle("timeout");
      outgoing.destroy();
    }, req.timeoutMs ?? 10_000);
    // A server that answers early (413) and closes may cut the upload short: the answer is what counts.
    outgoing.on("error", (error) => setTimeout(() => settle(error), 200));
    outgoing.end(req.body);
  });
}

/** The tRPC error code(s) of a response body: one for a single call, one per call for a batch. */
export function trpcCodesOf(text: string): string[] {
  try {
    const json: unknown = JSON.parse(text);
    const items = Array.isArray(json) ? json : [json];
    return items.map((item) => (item as { error?: { data?: { code?: string } } }).error?.data?.code ?? "OK");
  } catch {
    return [];
  }
}
