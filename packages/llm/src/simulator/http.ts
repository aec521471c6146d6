import type { IncomingMessage, ServerResponse } from "node:http";

import type { z } from "zod";

/** The body OpenAI returns with every error status; the SDK reads `error.message`. */
export function openAiError(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function sendInvalidRequest(res: ServerResponse, message: string, param: string | null = null): void {
  sendJson(res, 400, openAiError(message, "invalid_request_error", param));
}

/** The first zod issue as OpenAI words it: which parameter, and what is wrong. */
export function sendValidationError(res: ServerResponse, error: z.ZodError): void {
  const issue = error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : null;
  const message = param ? `Invalid value for '${param}': ${issue?.message}` : (issue?.message ?? "Invalid request");
  sendInvalidRequest(res, message, param);
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** Reads and parses a JSON body; rejects on bad JSON or a body over 4 MiB. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text.trim() === "" ? undefined : JSON.parse(text);
}
