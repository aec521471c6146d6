import { describe, expect, it } from "vitest";

import type { SendEvent } from "@leadline/validators/chat";

import { readJsonLines, readSendStream, SendStreamError } from "./wire";

// Recorded from the server (chat.send over httpBatchStreamLink's wire format), shortened.
const ANSWER = [
  '{"0":[[0],[null,0,0]]}',
  '[0,0,[[{"result":0}],["result",0,1]]]',
  '[1,0,[[{"data":0}],["data",0,2]]]',
  '[2,0,[[0],[null,1,3]]]',
  '[3,1,[[{"type":"ack","userMessageId":"2575b248-303b-462f-921b-0566c69b599b","clientMessageId":"fixture-on","replay":false}]]]',
  '[3,1,[[{"type":"token","text":"What\'s"}]]]',
  '[3,1,[[{"type":"token","text":" the"}]]]',
  '[3,1,[[{"type":"done","messageId":"aa5c2c14-bea2-4d3f-b122-b6b34c708ebf","status":"complete","text":"What\'s the","usage":{"promptTokens":70,"cachedPromptTokens":0,"completionTokens":2,"estimated":false},"cost":{"usd":"0.00001530","priced":true},"timings":{"firstTokenMs":73.6,"totalMs":89.9},"demoModel":false}]]]',
  "[3,0,[[]]]",
].join("\n");

const REFUSED = ['{"0":[[0],[null,0,0]]}', '[0,0,[[{"error":{"message":"Invalid session token","code":-32001,"data":{"code":"UNAUTHORIZED","httpStatus":401,"path":"chat.send"}}}]]]'].join("\n");

/** The text as a byte stream cut into awkward pieces, as a socket delivers it. */
function streamOf(text: string, pieceSize = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += pieceSize) controller.enqueue(bytes.slice(i, i + pieceSize));
      controller.close();
    },
  });
}

async function eventsOf(text: string): Promise<SendEvent[]> {
  const events: SendEvent[] = [];
  await readSendStream(readJsonLines(streamOf(text)), (e) => events.push(e));
  return events;
}

describe("readSendStream", () => {
  it("yields ack, the tokens and done, in order, from lines split anywhere", async () => {
    const events = await eventsOf(ANSWER);
    expect(events.map((e) => e.type)).toEqual(["ack", "token", "token", "done"]);
    expect(events[3]).toMatchObject({ type: "done", messageId: "aa5c2c14-bea2-4d3f-b122-b6b34c708ebf" });
  });

  it("skips tRPC's blank ping lines", async () => {
    expect(await eventsOf(ANSWER.replace("\n", "\n\n  \n"))).toHaveLength(4);
  });

  it("turns a procedure error into a SendStreamError with its code", async () => {
    await expect(eventsOf(REFUSED)).rejects.toThrow(new SendStreamError("UNAUTHORIZED: Invalid session token"));
  });

  it("turns an error inside the event stream into a SendStreamError", async () => {
    const broken = [...ANSWER.split("\n").slice(0, 5), '[3,2,{"message":"boom"}]'].join("\n");
    await expect(eventsOf(broken)).rejects.toThrow(SendStreamError);
  });
});
