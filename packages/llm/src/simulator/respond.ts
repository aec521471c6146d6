import type { ServerResponse } from "node:http";

import { buildChunk, buildCompletion, buildUsageChunk, type ReplyPlan } from "./completion";

export type StreamTiming = {
  firstTokenMs: number;
  msPerToken: number;
  /** Stop sending after this many content chunks, keeping the connection open. */
  stallAfterTokens?: number;
};

/**
 * Streams the reply as OpenAI does: headers and the role chunk when the first
 * token is ready, one content chunk per piece, the finish chunk, the usage
 * chunk when asked for, then [DONE]. A client that hangs up stops the clock.
 */
export function streamReply(res: ServerResponse, plan: ReplyPlan, includeUsage: boolean, timing: StreamTiming): void {
  const timer = startTimer(res);
  const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
  let sent = 0;

  const sendNext = () => {
    if (timing.stallAfterTokens !== undefined && sent >= timing.stallAfterTokens) return;
    const piece = plan.pieces[sent];
    if (piece === undefined) {
      send(buildChunk(plan, {}, plan.finishReason, includeUsage));
      if (includeUsage) send(buildUsageChunk(plan));
      res.end("data: [DONE]\n\n");
      return;
    }
    send(buildChunk(plan, { content: piece }, null, includeUsage));
    sent += 1;
    timer.schedule(sendNext, timing.msPerToken);
  };

  timer.schedule(() => {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-request-id": plan.id,
    });
    send(buildChunk(plan, { role: "assistant", content: "" }, null, includeUsage));
    sendNext();
  }, timing.firstTokenMs);
}

/** Answers a non-streaming request once the whole reply would have been generated. */
export function sendCompletion(res: ServerResponse, plan: ReplyPlan, delayMs: number): void {
  startTimer(res).schedule(() => {
    const payload = JSON.stringify(buildCompletion(plan));
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(payload),
      "x-request-id": plan.id,
    });
    res.end(payload);
  }, delayMs);
}

/** One pending timer per response, cancelled when the connection closes so nothing writes after it. */
function startTimer(res: ServerResponse) {
  let pending: NodeJS.Timeout | undefined;
  res.once("close", () => clearTimeout(pending));
  return {
    schedule(step: () => void, ms: number) {
      if (res.destroyed) return;
      pending = setTimeout(step, ms);
    },
  };
}
