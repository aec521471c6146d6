import { describe, expect, it } from "vitest";

import { findPersonName, parsePersonName } from "./person-name";

describe("findPersonName", () => {
  it.each([
    ["Hi, I'm Ana", "Ana"],
    ["I’m Zoë, nice to meet you", "Zoë"],
    ["my name is Ana María López and I run ops", "Ana María López"],
    ["Hello! This is Jean-Luc from Acme", "Jean-Luc"],
    ["name: Bob", "Bob"],
    ["Name:Bob Stone", "Bob Stone"],
    ["I am Priya Raman. We need a CRM.", "Priya Raman"],
    ["Hi I'm Bob Smith and I need a quote", "Bob Smith"],
    ["hey there, I'm Ana de la Cruz.", "Ana de la Cruz"],
    ["I'm Sean O'Brien", "Sean O'Brien"],
    ["you can call me Liz", "Liz"],
    ["I'm Maria Anna Sofia Rossi Bianchi", "Maria Anna Sofia Rossi"],
    ["Hi, I'm April", "April"],
  ])("finds the name in %s", (text, expected) => {
    expect(findPersonName(text)).toBe(expected);
  });

  it.each([
    "I'm interested in your pricing",
    "I'm looking for a chatbot",
    "I'm Looking For Help",
    "I'm the CTO",
    "I'm CTO at Globex",
    "I'm a product manager",
    "I'm not sure yet",
    "This is Amazing",
    "I'm from London",
    "I'm available on Monday",
    "this is Tuesday's follow-up",
    "my name is not important",
    "hi there, how are you?",
    "i'm ana",
  ])("finds no name in %s", (text) => {
    expect(findPersonName(text)).toBeNull();
  });

  it("prefers an explicit 'my name is' over an earlier 'this is'", () => {
    expect(findPersonName("This is Support Team. My name is Carla")).toBe("Carla");
  });
});

describe("parsePersonName", () => {
  it("accepts one to four capitalised words with particles", () => {
    expect(parsePersonName("Ana de la Cruz")).toBe("Ana de la Cruz");
    expect(parsePersonName("Jean-Luc Picard")).toBe("Jean-Luc Picard");
  });

  it.each(["ana", "CTO", "Monday", "Ana 2", "Ana María López Pérez García", "A".repeat(81)])(
    "rejects %s",
    (raw) => {
      expect(parsePersonName(raw)).toBeNull();
    },
  );
});
