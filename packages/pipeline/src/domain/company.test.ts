import { describe, expect, it } from "vitest";

import { findCompany, parseCompany } from "./company";

describe("findCompany", () => {
  it.each([
    ["I work at Globex", "Globex"],
    ["I'm the CTO at Globex.", "Globex"],
    ["Hi, I'm Ana from Acme Corp.", "Acme Corp"],
    ["I work for Initech", "Initech"],
    ["our company is Umbrella", "Umbrella"],
    ["Our company is called Stark Industries", "Stark Industries"],
    ["company: Wayne Enterprises", "Wayne Enterprises"],
    ["Bob from Initech here", "Initech"],
    ["Carlos from Globex, we spoke last week", "Globex"],
    ["I'm head of marketing at Initech", "Initech"],
    ["I'm a product manager at Hooli", "Hooli"],
    ["I work at The Home Depot", "The Home Depot"],
    ["I work at Procter & Gamble in Cincinnati", "Procter & Gamble"],
    ["I work at Acme and I love it", "Acme"],
    ["here at Vandelay Industries we import latex", "Vandelay Industries"],
    ["I'm the founder of a startup called Beeline", "Beeline"],
  ])("finds the company in %s", (text, expected) => {
    expect(findCompany(text)).toBe(expected);
  });

  it.each([
    "we are busy at the moment",
    "I can start from next month",
    "let's talk at 5pm",
    "I'm free from Monday",
    "I'm looking at Salesforce and HubSpot",
    "we pull data from HubSpot",
    "we switched from Zendesk last year",
    "we need a developer from Upwork",
    "I'm from London",
    "Greetings from New York",
    "I work for a small startup",
    "Switching from Intercom is the plan",
  ])("finds no company in %s", (text) => {
    expect(findCompany(text)).toBeNull();
  });
});

describe("parseCompany", () => {
  it("accepts capitalised names with connectors and digits", () => {
    expect(parseCompany("Procter & Gamble")).toBe("Procter & Gamble");
    expect(parseCompany("Studio 54")).toBe("Studio 54");
  });

  it.each(["acme", "Monday", "London", "Acme and", "5pm", "A".repeat(81)])("rejects %s", (raw) => {
    expect(parseCompany(raw)).toBeNull();
  });
});
