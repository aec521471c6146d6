/**
 * The load: closed loop (N virtual users, each sending its next message when
 * the last one is done), open loop (messages arriving at a fixed rate), or a
 * burst after silence. Variants are interleaved message by message (or run
 * side by side, a user for each), so machine noise hits all of them alike.
 * Every loop is bounded in time and count and stops by itself.
 */
import { randomUUID } from "node:crypto";

import type { ChatClient, MessageResult, createDirectClient } from "./clients";
import { Conversation } from "./conversations";
import type { Variant } from "./variants";

export type Sample = MessageResult & {
  variant: string;
  /** Counted only when it started inside the measured window. */
  measured: boolean;
  /** Open loop: how late the generator sent it after its scheduled time (ms). */
  lateMs?: number;
};

export type LoadOptions = {
  variants: readonly Variant[];
  chat: ChatClient;
  direct: ReturnType<typeof createDirectClient>;
  warmupMs: number;
  measureMs: number;
};

export type LoadResult = { samples: Sample[]; measureStart: number; measureEnd: number; sessionErrors: number };

/** Hard ceiling on messages per run, whatever the timing: the loops can never run away. */
const MAX_MESSAGES = 200_000;

function createSender(options: LoadOptions) {
  const samples: Sample[] = [];
  let sessionErrors = 0;
  const window = { start: 0, end: 0 };
  return {
    samples,
    window,
    sessionErrors: () => sessionErrors,
    /** Sends the conversation's next message as `variant`; records and returns the sample. */
    async send(conversation: Conversation, variant: Variant, lateMs?: number): Promise<Sample> {
      const text = conversation.nextText();
      let result: MessageResult | undefined;
      if (variant.kind === "direct") {
        result = await options.direct.ask(conversation.directMessages(text));
      } else {
        if (!conversation.sessionToken) {
          try {
            conversation.sessionToken = await options.chat.startSession();
          } catch (error) {
            sessionErrors += 1;
            const now = performance.now();
            result = { startedAt: now, firstTokenAt: null, lastTokenAt: null, doneAt: null, messageId: null, error: `startSession: ${String(error)}` };
          }
        }
        if (!result) result = await options.chat.send(conversation.sessionToken as string, randomUUID(), text, variant.flags);
      }
      conversation.remember(text, "Thanks! Could you tell me a bit more?");
      const measured = result.startedAt >= window.start && result.startedAt < window.end;
      const sample: Sample = { ...result, variant: variant.name, measured, ...(lateMs === undefined ? {} : { lateMs }) };
      if (samples.length < MAX_MESSAGES) samples.push(sample);
      return sample;
    },
  };
}

/**
 * `concurrency` users rotating through the variants; with `perVariant`,
 * `concurrency` users for each variant instead, each keeping to its own (one
 * visitor at a time per variant, all variants side by side).
 */
export async function runClosedLoop(options: LoadOptions & { concurrency: number; perVariant?: boolean }): Promise<LoadResult> {
  const sender = createSender(options);
  const started = performance.now();
  sender.window.start = started + options.warmupMs;
  sender.window.end = sender.window.start + options.measureMs;
  const users = options.perVariant ? options.concurrency * options.variants.length : options.concurrency;
  const perUser = Math.ceil(MAX_MESSAGES / users);

  async function runUser(user: number) {
    const conversation = new Conversation(user);
    // Users start at different points of the rotation: at any moment every variant is in flight.
    for (let i = 0; i < perUser && performance.now() < sender.window.end; i++) {
      const variant = options.variants[(user + (options.perVariant ? 0 : i)) % options.variants.length] as Variant;
      const sample = await sender.send(conversation, variant);
      if (sample.error) await sleep(100); // no hot loop on a failing server
    }
  }
  await Promise.all(Array.from({ length: users }, (_, user) => runUser(user)));
  return { samples: sender.samples, measureStart: sender.window.start, measureEnd: sender.window.end, sessionErrors: sender.sessionErrors() };
}

/**
 * Messages arrive every 1/rate s whatever happens to earlier ones (so a slow
 * server builds a queue, as real visitors would). Each goes to an idle
 * conversation; at most `maxInFlight` are open, arrivals beyond are dropped
 * and counted as errors.
 */
export async function runOpenLoop(options: LoadOptions & { ratePerSecond: number; maxInFlight: number }): Promise<LoadResult> {
  const sender = createSender(options);
  const started = performance.now();
  sender.window.start = started + options.warmupMs;
  sender.window.end = sender.window.start + options.measureMs;
  const idle: Conversation[] = [];
  let conversations = 0;
  let inFlight = 0;
  const running = new Set<Promise<unknown>>();
  const interval = 1000 / options.ratePerSecond;

  for (let i = 0; i < MAX_MESSAGES; i++) {
    const due = started + i * interval;
    if (due >= sender.window.end) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const variant = options.variants[i % options.variants.length] as Variant;
    if (inFlight >= options.maxInFlight) {
      sender.samples.push({ startedAt: due, firstTokenAt: null, lastTokenAt: null, doneAt: null, messageId: null, error: "dropped: too many in flight", variant: variant.name, measured: due >= sender.window.start });
      continue;
    }
    const conversation = idle.pop() ?? new Conversation(conversations++);
    inFlight += 1;
    const task = sender.send(conversation, variant, performance.now() - due).finally(() => {
      inFlight -= 1;
      idle.push(conversation);
      running.delete(task);
    });
    running.add(task);
  }
  await Promise.all(running);
  return { samples: sender.samples, measureStart: sender.window.start, measureEnd: sender.window.end, sessionErrors: sender.sessionErrors() };
}

/**
 * `visitors` conversations per variant each send a first message (sessions
 * started, D's history begun), then nothing is sent for `silenceMs`, then all
 * send their next message at once: each meets what the server let go in the
 * quiet (pool connections, prepared statements, cache entries). Only that
 * burst is measured; `beforeBurst` runs just before it.
 */
export async function runAfterSilence(options: LoadOptions & { visitors: number; silenceMs: number; beforeBurst: () => Promise<void> }): Promise<LoadResult> {
  const sender = createSender(options);
  const visitors = options.variants.flatMap((variant, v) => Array.from({ length: options.visitors }, (_, i) => ({ variant, conversation: new Conversation(v * options.visitors + i) })));
  const sendAll = () => Promise.all(visitors.map(({ variant, conversation }) => sender.send(conversation, variant)));
  await sendAll();
  await sleep(options.silenceMs);
  await options.beforeBurst();
  sender.window.start = performance.now();
  sender.window.end = sender.window.start + options.measureMs;
  await sendAll();
  return { samples: sender.samples, measureStart: sender.window.start, measureEnd: sender.window.end, sessionErrors: sender.sessionErrors() };
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
