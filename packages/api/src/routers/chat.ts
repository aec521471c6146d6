import { embedPolicyInput, feedbackInput, historyInput, leaveContactInput, sendInput, startSessionInput } from "@leadline/validators/chat";

import { loadEmbedPolicy } from "../chat/embed-policy";
import { recordFeedback } from "../chat/feedback";
import { leaveContact } from "../chat/leave-contact";
import { loadConversation } from "../chat/history";
import { startSession } from "../chat/start-session";
import { handleSend } from "../chat/send";
import { router, visitorProcedure, widgetProcedure } from "../trpc";

export const chatRouter = router({
  startSession: widgetProcedure.input(startSessionInput).mutation(({ ctx, input }) => startSession(ctx, input)),

  /**
   * Streams the answer as a tRPC v11 async generator over httpBatchStreamLink
   * (JSON lines on the POST's response), not an SSE subscription: sending is a
   * mutation with side effects, answered once; an EventSource would reconnect
   * and resend on its own, and SSE is GET-only. Limits and the budget are
   * checked, input checked and the user message stored before the stream
   * opens, so a refusal is a plain tRPC error (over HTTP a real 429 or 402:
   * limits/admit-calls.ts).
   */
  send: visitorProcedure.input(sendInput).mutation(({ ctx, input, signal }) => handleSend(ctx, input, signal)),

  history: visitorProcedure.input(historyInput).query(({ ctx, input }) => loadConversation(ctx, ctx.visitor, input)),

  feedback: visitorProcedure.input(feedbackInput).mutation(({ ctx, input }) => recordFeedback(ctx, ctx.visitor, input)),

  /** The visitor's name and email when the assistant cannot answer (budget spent, cap reached): the lead without the model. */
  leaveContact: visitorProcedure.input(leaveContactInput).mutation(({ ctx, input }) => leaveContact(ctx, ctx.visitor, input)),

  /** Asked by the widget's server for the embed page's frame-ancestors, not by the browser. */
  embedPolicy: widgetProcedure.input(embedPolicyInput).query(({ ctx, input }) => loadEmbedPolicy(ctx, input)),
});
