/**
 * The widget's public contract, v1: what the embed sends to `chat.*` and what
 * it gets back. Kept small and free of server code so the widget bundle can
 * import it.
 */
import { z } from "zod";

import { DEFAULT_MAX_MESSAGE_CHARS, plainText, uuid, visitorText } from "./common";

export const CHAT_CONTRACT_VERSION = 1;

export const siteKey = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "Site key may contain letters, digits, - and _ only");

export const sessionToken = z.string().min(10).max(512);

export const theme = z.object({
  title: z.string(),
  primaryColor: z.string(),
  position: z.enum(["bottom-right", "bottom-left"]),
});
export type Theme = z.infer<typeof theme>;

export const startSessionInput = z.object({
  siteKey,
  /** The widget's random id for this browser, so returning visitors are recognised. */
  visitorId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
});

export const startSessionOutput = z.object({
  sessionId: uuid,
  sessionToken,
  greeting: z.string(),
  theme,
  /** True when answers come from the offline demo model, not a real one. */
  demoModel: z.boolean(),
});
export type StartSessionOutput = z.infer<typeof startSessionOutput>;

export const clientMessageId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "clientMessageId must be 8–64 letters, digits, - or _");

/** Absolute ceiling of the schema; the server's configured limit (default 4,000) is checked too. */
export const sendInput = z.object({
  sessionToken,
  clientMessageId,
  text: visitorText.pipe(z.string().max(DEFAULT_MAX_MESSAGE_CHARS * 25, "Message is too long")),
});
export type SendInput = z.infer<typeof sendInput>;

export const usage = z.object({
  promptTokens: z.number().int(),
  cachedPromptTokens: z.number().int(),
  completionTokens: z.number().int(),
  estimated: z.boolean(),
});

export const messageStatus = z.enum(["complete", "partial", "failed"]);

/** Events of one `chat.send` stream, in order: ack, token*, (done | error), enhanced?. */
export type SendEvent =
  | { type: "ack"; userMessageId: string; clientMessageId: string; replay: boolean }
  | { type: "token"; text: string }
  | {
      type: "done";
      messageId: string;
      status: z.infer<typeof messageStatus>;
      text: string;
      usage: z.infer<typeof usage>;
      cost: { usd: string | null; priced: boolean };
      timings: { firstTokenMs: number | null; totalMs: number };
      demoModel: boolean;
    }
  | { type: "error"; code: SendErrorCode; message: string; retryable: boolean; messageId?: string }
  | { type: "enhanced"; kind: string; data: Record<string, unknown> };

export type SendErrorCode = "rate_limited" | "upstream_error" | "timeout" | "aborted" | "bad_request" | "internal";

/** A page of history: the latest messages unless `cursor` (a page's nextCursor) asks for older ones. */
export const HISTORY_PAGE_SIZE = { default: 50, max: 200 } as const;

export const historyInput = z.object({
  sessionToken,
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(HISTORY_PAGE_SIZE.max).default(HISTORY_PAGE_SIZE.default),
});

export const historyMessage = z.object({
  id: uuid,
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  status: messageStatus,
  createdAt: z.string(),
  clientMessageId: z.string().nullable(),
  feedback: z.enum(["up", "down"]).nullable(),
});
export type HistoryMessage = z.infer<typeof historyMessage>;

/** One page, oldest message first; nextCursor leads to the older messages (null: this page starts the conversation). */
export const historyPage = z.object({ messages: z.array(historyMessage), nextCursor: z.string().nullable() });
export type HistoryPage = z.infer<typeof historyPage>;

export const feedbackInput = z.object({
  sessionToken,
  messageId: uuid,
  rating: z.enum(["up", "down"]),
  comment: plainText.trim().max(1000).optional(),
});

/** Asked by the widget's server, not the browser: which pages may frame a site's chat. */
export const embedPolicyInput = z.object({ siteKey });

/**
 * A visitor's name and email, left when the assistant cannot answer (the
 * site's budget is spent, the conversation's cap reached): the lead is
 * captured without the model.
 */
export const leaveContactInput = z.object({
  sessionToken,
  name: visitorText.pipe(z.string().max(100, "Name is too long")),
  email: z.string().trim().max(254, "Email is too long").pipe(z.email("Please enter a valid email address")),
  note: visitorText.pipe(z.string().max(1000, "Message is too long")).optional(),
});
export type LeaveContactInput = z.infer<typeof leaveContactInput>;
