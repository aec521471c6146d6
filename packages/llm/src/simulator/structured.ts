import { planPieces, readTurns, type ChatRequest, type ReplyPlan } from "./completion";
import { fillSchema } from "./fill-schema";
import { findFactFor, gatherLeadFacts } from "./lead-facts";

/**
 * The reply to a request for JSON (`response_format` json_schema or
 * json_object): what the visitor's messages told us, as compact JSON; null
 * for a plain-text request. Streams and stops at the token limit like any
 * reply, so a tight max_completion_tokens cuts the JSON short with
 * finish_reason "length", as OpenAI's would.
 */
export function planStructuredReply(request: ChatRequest): ReplyPlan | null {
  const format = request.response_format;
  if (!format || format.type === "text") return null;
  const turns = readTurns(request);
  const facts = gatherLeadFacts(turns.filter((t) => t.role === "user").map((t) => t.content));
  const value =
    format.type === "json_object"
      ? facts
      : fillSchema(format.json_schema.schema ?? {}, (property) => findFactFor(property, facts));
  return planPieces(request, turns, splitIntoTokens(JSON.stringify(value)));
}

/** Four characters a piece: a token by the estimate every usage number here is built on. */
function splitIntoTokens(json: string): string[] {
  return json.match(/[\s\S]{1,4}/g) ?? [];
}
