import { describe, expect, it } from "vitest";

import { classifyMessage } from "./complexity";

describe("classifyMessage", () => {
  it.each([
    "hi",
    "hello there!",
    "Hey 👋",
    "thanks",
    "Thank you so much!",
    "ok",
    "👍",
    "good morning",
    "how are you?",
    "no thanks",
    "cool, got it",
    "thanks for your help!",
    "bye!",
    "",
  ])("treats %j as simple", (text) => {
    expect(classifyMessage(text)).toBe("simple");
  });

  it.each([
    "What integrations do you support?",
    "Does it work with Slack?",
    "Can you tell me more about your product?",
    "Are you a bot?",
    "hi, I'm Ana",
    "hello, what does Leadline do?",
    "Is the widget accessible?",
    "12",
    "we have 1500000 users",
    "thanks, but how do I install the snippet on WordPress?",
  ])("treats %j as moderate", (text) => {
    expect(classifyMessage(text)).toBe("moderate");
  });

  it.each([
    "my email is ana@acme.com",
    "reach me at (ana@acme.com).",
    "call me at (415) 555-2671",
    "+44 20 7946 0958",
    "my cell: 555-2671 ext 4",
    "How much does it cost?",
    "What's your pricing?",
    "We have a budget of $20k",
    "around 50k a year",
    "We want to launch next month",
    "we're aiming for Q3",
    "Can I get a demo?",
    "we need 40 seats",
    "send me a quote please",
    "our procurement team needs to review the contract",
    "is there a free plan?",
    "ok, demo please",
    "we're 200 employees",
    "we're a small agency, about 15 people",
    "thanks! can we talk to sales?",
  ])("treats %j as complex", (text) => {
    expect(classifyMessage(text)).toBe("complex");
  });

  it("treats a bare yes/no as simple at the start but as an answer later on", () => {
    expect(classifyMessage("yes")).toBe("simple");
    expect(classifyMessage("Yes please!", { userMessageCount: 1 })).toBe("simple");
    expect(classifyMessage("yes", { userMessageCount: 3 })).toBe("moderate");
    expect(classifyMessage("nope", { userMessageCount: 2 })).toBe("moderate");
    expect(classifyMessage("thanks", { userMessageCount: 5 })).toBe("simple");
  });

  it("is not fooled by dates into seeing a phone number", () => {
    expect(classifyMessage("is support open on 2024-05-01?")).toBe("moderate");
  });

  // Bounded input (how fast that is, the benchmark measures): nothing past the first 4,000 characters is read.
  it("reads no further than the first 4,000 characters", () => {
    expect(classifyMessage(`${"tell me more about reports ".repeat(160)} ana@globex.example`)).toBe("moderate");
    expect(classifyMessage(`ana@globex.example ${"tell me more about reports ".repeat(160)}`)).toBe("complex");
  });
});
