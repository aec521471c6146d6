import { embedPolicyInput, feedbackInput, historyInput, sendInput, startSessionInput } from "@leadline/validators/chat";

import { loadEmbedPolicy } from "../chat/embed-policy";
import { recordFeedback } from "../chat/feedback";
import { loadConversation } from "../chat/history";
import { prepareSend } from "../chat/prepare-send";
import { startSession } from "../chat/start-session";
import { streamReply } from "../chat/stream-reply";
import { router, visitorProcedure, widgetProcedure } from "../trpc";

export const chatRouter = router({
  startSession: widgetProcedure.input(startSessionInput).mutation(({ ctx, input }) => startSession(ctx, input)),

  /**
   * Streams the answer as a tRPC v11 async generator over httpBatchStreamLink
   * (JSON lines on the POST's response), not an SSE subscription: sending is a
   * mutation with side effects, answered once; an EventSource would reconnect
   * and resend on its own, and SSE is GET-only. Input is checked and the user
   * message stored before the stream opens, so bad input is a plain tRPC error.
   */
  send: visitorProcedure.input(sendInput).mutation(async ({ ctx, input, signal }) => {
    const plan = await prepareSend(ctx, ctx.visitor, input);
    return streamReply(ctx, plan, signal);
  }),

  history: visitorProcedure.input(historyInput).query(({ ctx, input }) => loadConversation(ctx, ctx.visitor, input)),

  feedback: visitorProcedure.input(feedbackInput).mutation(({ ctx, input }) => recordFeedback(ctx, ctx.visitor, input)),

  /** Asked by the widget's server for the embed page's frame-ancestors, not by the browser. */
  embedPolicy: widgetProcedure.input(embedPolicyInput).query(({ ctx, input }) => loadEmbedPolicy(ctx, input)),
});
