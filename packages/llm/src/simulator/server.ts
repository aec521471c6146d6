import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { chatRequestSchema, planReply, readTurns } from "./completion";
import { createFaultBook, faultRequestSchema, parseFaultHeader, type SimulatorFault } from "./faults";
import { BodyTooLargeError, openAiError, readJson, sendInvalidRequest, sendJson, sendValidationError } from "./http";
import { sendCompletion, streamReply } from "./respond";
import { checkResponseFormat } from "./response-format";
import { planStructuredReply } from "./structured";

export type { SimulatorFault } from "./faults";

export type SimulatorProfile = { firstTokenMs: number; msPerToken: number; replyTokens?: number };

export type SimulatorOptions = {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  profile?: Partial<SimulatorProfile>;
};

export type SimulatorStats = {
  /** Chat completion requests received. */
  requests: number;
  /** Of those, the ones asking for structured output (response_format json_schema): background extraction, not answers. */
  structured: number;
  /** Structured-output requests not finished yet. */
  structuredInFlight: number;
  /** Responses sent to the end. */
  completed: number;
  /** Responses the client hung up on before we finished. */
  aborted: number;
  inFlight: number;
};

export type Simulator = {
  /** Base URL for the SDK, ending in /v1. */
  url: string;
  port: number;
  setProfile(profile: Partial<SimulatorProfile>): void;
  setFault(fault: SimulatorFault, options?: { count?: number }): void;
  clearFault(): void;
  stats(): SimulatorStats;
  /** Stops listening and destroys open connections, streams included. */
  close(): Promise<void>;
};

export const defaultProfile: SimulatorProfile = { firstTokenMs: 400, msPerToken: 25 };

const MODELS = [
  { id: "gpt-4o-mini", created: 1721172741 },
  { id: "gpt-4o", created: 1715367049 },
  { id: "gpt-4.1-mini", created: 1744318173 },
  { id: "gpt-4.1", created: 1744316542 },
].map((m) => ({ ...m, object: "model", owned_by: "system" }));

/** An OpenAI-compatible chat completions server playing Leadline's demo sales assistant. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  let profile: SimulatorProfile = { ...defaultProfile, ...options.profile };
  const faults = createFaultBook();
  const counts = { requests: 0, structured: 0, structuredInFlight: 0, completed: 0, aborted: 0 };
  const stats = (): SimulatorStats => ({ ...counts, inFlight: counts.requests - counts.completed - counts.aborted });

  async function handleChatCompletion(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counts.requests += 1;
    res.once("close", () => {
      if (res.writableFinished) counts.completed += 1;
      else counts.aborted += 1;
    });
    const headerFault = req.headers["x-sim-fault"];
    const requested = typeof headerFault === "string" ? parseFaultHeader(headerFault) : null;
    if (requested instanceof Error) return sendInvalidRequest(res, requested.message, "x-sim-fault");

    const parsed = chatRequestSchema.safeParse(await readJson(req));
    if (!parsed.success) return sendValidationError(res, parsed.error);
    const request = parsed.data;
    if (request.response_format?.type === "json_schema") {
      counts.structured += 1;
      counts.structuredInFlight += 1;
      res.once("close", () => (counts.structuredInFlight -= 1));
    }
    const texts = readTurns(request).map((t) => t.content);
    const formatProblem = checkResponseFormat(request.response_format, texts);
    if (formatProblem) return sendInvalidRequest(res, formatProblem.message, formatProblem.param);
    const fault = requested ?? faults.take();

    if (fault === "error500") {
      const message = "The server had an error while processing your request. Sorry about that!";
      return sendJson(res, 500, openAiError(message, "server_error"));
    }
    if (fault === "error429") {
      const message = `Rate limit reached for ${request.model} (Leadline simulator). Please try again in 1s.`;
      return sendJson(res, 429, openAiError(message, "requests", null, "rate_limit_exceeded"), { "retry-after": "1" });
    }
    if (fault === "hang") return; // the close listener counts it when the client gives up

    const plan = planStructuredReply(request) ?? planReply(request, profile.replyTokens);
    const { msPerToken, stallAfterTokens } = readTiming(fault, profile);
    if (request.stream) {
      const includeUsage = request.stream_options?.include_usage === true;
      return streamReply(res, plan, includeUsage, { firstTokenMs: profile.firstTokenMs, msPerToken, stallAfterTokens });
    }
    // A stalled non-streaming answer never arrives at all.
    if (stallAfterTokens !== undefined) return;
    sendCompletion(res, plan, profile.firstTokenMs + plan.pieces.length * msPerToken);
  }

  async function handleFaultControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === "DELETE") {
      faults.clear();
      return sendJson(res, 200, { fault: null });
    }
    const parsed = faultRequestSchema.safeParse(await readJson(req));
    if (!parsed.success) return sendValidationError(res, parsed.error);
    faults.set(parsed.data.fault, parsed.data.count);
    sendJson(res, 200, parsed.data);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://simulator").pathname.replace(/\/+$/, "");
    const key = `${req.method} ${path}`;
    if (key === "POST /_sim/fault" || key === "DELETE /_sim/fault") return handleFaultControl(req, res);
    if (key === "GET /_sim/stats") return sendJson(res, 200, stats());
    if (path.startsWith("/v1/") && !/^Bearer\s+\S/i.test(req.headers.authorization ?? "")) {
      const message = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.";
      return sendJson(res, 401, openAiError(message, "invalid_request_error"));
    }
    if (key === "GET /v1/models") return sendJson(res, 200, { object: "list", data: MODELS });
    const model = key.startsWith("GET /v1/models/") ? MODELS.find((m) => m.id === path.slice("/v1/models/".length)) : undefined;
    if (model) return sendJson(res, 200, model);
    if (key === "POST /v1/chat/completions") return handleChatCompletion(req, res);
    sendJson(res, 404, openAiError(`Invalid URL (${key})`, "invalid_request_error"));
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => answerUnexpected(res, error));
  });
  const port = await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  const host = options.host ?? "127.0.0.1";
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/v1`,
    port,
    setProfile: (next) => {
      profile = { ...profile, ...next };
    },
    setFault: (fault, o) => faults.set(fault, o?.count),
    clearFault: () => faults.clear(),
    stats,
    close: () => (closing ??= closeServer(server)),
  };
}

/** The two faults that bend timing rather than replace the answer. */
function readTiming(fault: SimulatorFault | null, profile: SimulatorProfile): { msPerToken: number; stallAfterTokens?: number } {
  if (typeof fault !== "object" || fault === null) return { msPerToken: profile.msPerToken };
  if ("slowMsPerToken" in fault) return { msPerToken: fault.slowMsPerToken };
  return { msPerToken: profile.msPerToken, stallAfterTokens: fault.stallAfterTokens };
}

function answerUnexpected(res: ServerResponse, error: unknown): void {
  if (res.destroyed) return; // the client left mid-body: nobody to answer
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof BodyTooLargeError) return sendJson(res, 413, openAiError(error.message, "invalid_request_error"));
  if (error instanceof SyntaxError) {
    return sendInvalidRequest(res, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)");
  }
  sendJson(res, 500, openAiError(`simulator error: ${error instanceof Error ? error.message : String(error)}`, "server_error"));
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // close() waits for open connections: a hung or stalled stream would keep it waiting forever.
    server.closeAllConnections();
  });
}
