import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import { appRouter, createContextFactory, type ApiServices } from "@leadline/api";
import { admitSendOverHttp } from "@leadline/api/limits/admit-calls";
import { ping } from "@leadline/db/client";
import type { Registry } from "prom-client";

import { StartupError } from "./database";
import { createTrpcHandler, type ReadRequest } from "./trpc-handler";
import { bodyTooLarge, MAX_BODY_BYTES, readBodyWithin, refuseConnect, refuseUnservableCall, sendTrpcError, STREAMED_PROCEDURES } from "./trpc-guards";

export type HttpOptions = {
  services: ApiServices;
  /** Browser origins allowed to call the API (the widget and admin apps). */
  corsOrigins: string[];
  /** Prometheus registry served at /metrics. */
  metrics?: Registry;
};

const KEEP_ALIVE_MS = 65_000;

/** The API's HTTP server: tRPC at /trpc, health at /healthz and /readyz. */
export function createApiServer({ services, corsOrigins, metrics }: HttpOptions) {
  // One context a request, made here: it reads cookies and the peer address from req and sets cookies on res.
  const createContext = createContextFactory({
    ...services,
    // Until the composition root names the admin app's origins, admin calls are
    // accepted from every CORS origin (which includes the widget's).
    config: { ...services.config, adminOrigins: services.config.adminOrigins ?? corsOrigins },
  });
  const trpc = createTrpcHandler(appRouter, {
    basePath: "/trpc/",
    streamed: STREAMED_PROCEDURES,
    onFault: (error) => services.log.error({ err: error }, "tRPC could not answer a request"),
  });
  // Each app may call its own procedures only: chat.* is the widget's, the rest the admin app's.
  const corsByApp = { widget: new Set(services.config.widgetOrigins ?? []), admin: new Set(services.config.adminOrigins ?? corsOrigins) };

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (path === "/readyz") {
      return void ping(services.sql).then(
        () => sendJson(res, 200, { status: "ready", database: "up" }),
        () => sendJson(res, 503, { status: "unavailable", database: "down" }),
      );
    }
    if (path === "/metrics" && metrics) {
      return void metrics.metrics().then((text) => res.writeHead(200, { "content-type": metrics.contentType }).end(text));
    }
    if (path?.startsWith("/trpc/")) {
      if (applyCors(req, res, path, corsByApp)) return;
      const refusal = refuseUnservableCall(req);
      if (refusal) return sendTrpcError(res, refusal);
      return void readBodyWithin(req, MAX_BODY_BYTES).then(async (body) => {
        if (body === "too-large") return sendTrpcError(res, bodyTooLarge(), { close: true });
        if (body === "gone") return;
        const ctx = createContext({ req, res });
        // chat.send's limits and budget, while a refusal can still be the whole response (see admit-calls.ts).
        if (path === "/trpc/chat.send" && (await admitSendOverHttp(ctx, (req as ReadRequest).body, res)) === "answered") return;
        return trpc(req, res, ctx);
      });
    }
    sendJson(res, 404, { error: "not found" });
  });
  // Node hands CONNECT to this event, not to the handler, and without a listener drops the connection unanswered.
  server.on("connect", (_req, socket) => refuseConnect(socket));
  // Kept-alive connections live long. Node accepts about one new connection
  // per turn of its event loop, so under load a visitor whose client had to
  // reconnect (its idle connection timed out after Node's default 5 s) waited
  // in the accept queue for seconds before the request was even read. With a
  // minute of keep-alive (advertised in the Keep-Alive header, so clients keep
  // their end as long) connections are reused instead; also longer than a
  // typical load balancer's idle timeout, as that side should close first.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  return withGracefulClose(server);
}

/**
 * Sets CORS headers for an origin allowed to call every procedure the URL
 * names (a batch lists several, comma-separated); answers preflight requests.
 * Returns true when done. The procedures check the Origin again themselves:
 * CORS only keeps other pages from reading the answers.
 */
function applyCors(req: IncomingMessage, res: ServerResponse, path: string, origins: { widget: ReadonlySet<string>; admin: ReadonlySet<string> }): boolean {
  const origin = req.headers.origin;
  const procedures = readProcedures(path);
  if (origin && procedures?.every((p) => (p.startsWith("chat.") ? origins.widget : origins.admin).has(origin))) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-allow-credentials", "true");
  }
  res.setHeader("vary", "origin");
  if (req.method === "OPTIONS") {
    res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
    res.setHeader("access-control-allow-headers", "content-type, trpc-accept, x-request-id, x-leadline-flags");
    res.setHeader("access-control-max-age", "600");
    res.writeHead(204).end();
    return true;
  }
  return false;
}

/** The procedures a /trpc/ path names, read as tRPC reads them: decoded, then split (an encoded comma separates too). */
function readProcedures(path: string): string[] | null {
  try {
    return decodeURIComponent(path.slice("/trpc/".length)).split(",");
  } catch {
    return null;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

function withGracefulClose(server: Server) {
  let inFlight = 0;
  server.on("request", (_req, res: ServerResponse) => {
    inFlight += 1;
    res.once("close", () => (inFlight -= 1));
  });
  return {
    server,
    listen(port: number, host: string, name = "API_PORT"): Promise<string> {
      return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) =>
          reject(
            new StartupError(
              error.code === "EADDRINUSE"
                ? `port ${port} (${name}) is already in use; stop what uses it or set ${name}`
                : `cannot listen on ${host}:${port} (${name}): ${error.message}`,
            ),
          );
        server.once("error", onError);
        server.listen(port, host, () => {
          server.off("error", onError);
          const address = server.address();
          resolve(`http://${host}:${typeof address === "object" && address ? address.port : port}`);
        });
      });
    },
    /** Stops accepting, lets in-flight requests finish (up to timeoutMs), then cuts what is left. */
    async close(timeoutMs: number): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + timeoutMs;
      while (inFlight > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

export type ApiServer = ReturnType<typeof createApiServer>;
