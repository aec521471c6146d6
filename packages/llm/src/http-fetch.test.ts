import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createHttpFetch, takeBody } from "./http-fetch";
import { waitFor } from "./test-support";

let server: Server;
let url: string;
/** Connections opened, and responses the client closed before they ended. */
let counts: { connections: number; closedResponses: number };
let handle: (body: string, res: ServerResponse, headers: Record<string, unknown>) => void;

beforeEach(async () => {
  const ours = (counts = { connections: 0, closedResponses: 0 });
  server = createServer((req, res) => {
    // Counted into this test's counts only: a response of the test before may close late.
    res.once("close", () => (ours.closedResponses += res.writableFinished ? 0 : 1));
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => handle(Buffer.concat(chunks).toString(), res, { ...req.headers, method: req.method }));
  });
  server.on("connection", () => (ours.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Answers the next request with an event stream that has sent its first event and stays open; `res` ends it. */
function openEventStream() {
  const open = {} as { res: ServerResponse };
  handle = (_body, r) => {
    open.res = r;
    r.writeHead(200, { "content-type": "text/event-stream" });
    r.write("data: first\n\n");
  };
  return open;
}

describe("createHttpFetch", () => {
  it("sends the method, headers and body, and answers with status, headers and body", async () => {
    let seen: Record<string, unknown> = {};
    handle = (body, res, headers) => {
      seen = { ...headers, body };
      res.writeHead(429, { "retry-after": "2", "content-type": "application/json" }).end('{"error":{"message":"slow down"}}');
    };
    const response = await createHttpFetch()(url, { method: "POST", headers: new Headers({ authorization: "Bearer k" }), body: '{"q":"é"}' });

    expect(seen).toMatchObject({ method: "POST", authorization: "Bearer k", "content-length": "10", body: '{"q":"é"}' });
    expect(response.status).toBe(429);
    expect(response.ok).toBe(false);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.json()).toEqual({ error: { message: "slow down" } });
  });

  it("hands over the body as it arrives, before the response ends", async () => {
    const open = openEventStream();
    const response = await createHttpFetch()(url, { method: "POST", body: "{}" });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: first\n\n");
    open.res.end("data: [DONE]\n\n");
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: [DONE]\n\n");
    expect((await reader.read()).done).toBe(true);
  });

  it("hands over a body's chunks to the one reader that takes them, after which its web stream refuses to be read", async () => {
    const open = openEventStream();
    const response = await createHttpFetch()(url, { method: "POST", body: "{}" });
    const chunks = takeBody(response)!;
    expect(takeBody(response)).toBeNull();
    const text = async () => {
      for (;;) {
        const taken = chunks.take();
        if (taken === null) return null;
        if (taken.length > 0) return Buffer.concat(taken).toString();
        await chunks.arrival();
      }
    };
    expect(await text()).toBe("data: first\n\n");
    open.res.end("data: [DONE]\n\n");
    expect(await text()).toBe("data: [DONE]\n\n");
    expect(await text()).toBeNull();
    await expect(response.body!.getReader().read()).rejects.toThrow(/taken/);
  });

  it("does not hand over a body whose web stream was read", async () => {
    handle = (_body, r) => r.writeHead(200, { "content-type": "text/plain" }).end("ok");
    const response = await createHttpFetch()(url, { method: "POST", body: "{}" });
    expect(await response.text()).toBe("ok");
    expect(takeBody(response)).toBeNull();
    expect(takeBody(new Response("elsewhere"))).toBeNull();
  });

  it("a reader slower than the socket gets the whole body, in order (the socket waits for it)", async () => {
    const piece = (i: number) => `${String(i).padStart(6, "0")}${"x".repeat(16_378)}`;
    handle = (_body, r) => {
      r.writeHead(200, { "content-type": "application/octet-stream" });
      for (let i = 0; i < 128; i += 1) r.write(piece(i));
      r.end();
    };
    const response = await createHttpFetch()(url, { method: "POST", body: "{}" });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      text += decoder.decode(read.value, { stream: true });
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(text.length).toBe(128 * 16_384);
    expect(text).toBe(Array.from({ length: 128 }, (_, i) => piece(i)).join(""));
  });

  it("an abort mid-body closes the connection and fails the read", async () => {
    openEventStream();
    const controller = new AbortController();
    const response = await createHttpFetch()(url, { method: "POST", body: "{}", signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
    await waitFor(() => counts.closedResponses === 1);
  });

  it("a connection cut mid-body fails the read instead of ending it quietly", async () => {
    handle = (_body, r) => {
      r.writeHead(200, { "content-type": "text/event-stream" });
      r.write("data: first\n\n", () => setTimeout(() => r.destroy(), 20));
    };
    const response = await createHttpFetch()(url, { method: "POST", body: "{}" });
    const reader = response.body!.getReader();
    await reader.read();
    await expect(reader.read()).rejects.toThrow();
  });

  it("keeps the connection for the next request, also when the signal aborts after the body was read", async () => {
    handle = (_body, r) => r.writeHead(200, { "content-type": "text/plain" }).end("ok");
    const fetch = createHttpFetch();
    const controller = new AbortController();
    expect(await (await fetch(url, { method: "POST", body: "{}", signal: controller.signal })).text()).toBe("ok");
    controller.abort();
    expect(await (await fetch(url, { method: "POST", body: "{}" })).text()).toBe("ok");
    expect(counts).toEqual({ connections: 1, closedResponses: 0 });
  });

  it("rejects at once for a signal aborted before the call, and with the connection error when there is no server", async () => {
    const fetch = createHttpFetch();
    await expect(fetch(url, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    const port = (server.address() as AddressInfo).port;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    server = createServer().listen(0); // for afterEach
  });

  it("a 204 has no body", async () => {
    handle = (_body, r) => r.writeHead(204).end();
    const response = await createHttpFetch()(url, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });
});
