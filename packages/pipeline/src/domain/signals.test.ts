import { describe, expect, it } from "vitest";

import { findNeed, findTeamSize, readTeamSize } from "./signals";

describe("findTeamSize", () => {
  it.each([
    ["we are a team of 12", "12"],
    ["50 employees across two offices", "50"],
    ["we're 200 people", "200"],
    ["10-50 employees", "10-50"],
    ["200+ employees", "200+"],
    ["a team of five", "5"],
    ["headcount is 40", "40"],
    ["a tool for our team of 12", "12"],
    ["a company of 1,200", "1200"],
    ["it's just me for now", "1"],
    ["I run a 2-person startup", "2"],
  ])("reads %s as %s", (text, expected) => {
    expect(findTeamSize(text)).toBe(expected);
  });

  it.each(["we need 3 developers", "we have 1000 users", "we're hiring 5 engineers", "50k visitors a month", "score: 100"])(
    "finds no team size in %s",
    (text) => {
      expect(findTeamSize(text)).toBeNull();
    },
  );

  it("reads back the lower bound", () => {
    expect(readTeamSize("10-50")).toBe(10);
    expect(readTeamSize("200+")).toBe(200);
    expect(readTeamSize("a few")).toBeNull();
  });
});

describe("findNeed", () => {
  it.each([
    ["we need a CRM that syncs with HubSpot. Also, pricing?", "a CRM that syncs with HubSpot"],
    ["looking for a chatbot for our website", "a chatbot for our website"],
    ["I want to automate invoicing", "automate invoicing"],
    ["the problem is our leads go cold", "our leads go cold"],
    ["We're struggling with churn!", "churn"],
    ["we need a tool, email me at ana@acme.com", "a tool"],
    ["We're an agency looking to add chat to client sites", "add chat to client sites"],
    ["We get 20k visitors a month and need better lead capture", "better lead capture"],
  ])("reads %s as %s", (text, expected) => {
    expect(findNeed(text)).toBe(expected);
  });

  it.each(["we need it", "no need to worry", "We need help", "just looking", "what does it cost?"])(
    "finds no need in %s",
    (text) => {
      expect(findNeed(text)).toBeNull();
    },
  );

  it("cuts long needs at a word boundary within 120 characters", () => {
    const need = findNeed(`we need ${"integration ".repeat(30)}`);
    expect(need).not.toBeNull();
    expect(need?.length).toBeLessThanOrEqual(120);
    expect(need?.endsWith("integration")).toBe(true);
  });
});
