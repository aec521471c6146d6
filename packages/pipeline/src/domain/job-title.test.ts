import { describe, expect, it } from "vitest";

import { findJobTitle, parseJobTitle, rateSeniority } from "./job-title";

describe("findJobTitle", () => {
  it.each([
    ["I'm the CTO", "CTO"],
    ["as head of marketing, I decide on tools", "Head of Marketing"],
    ["I'm a product manager at Hooli", "Product Manager"],
    ["I'm the VP of Sales", "VP of Sales"],
    ["I'm the CTO and co-founder", "CTO and Co-Founder"],
    ["I am a senior software engineer", "Senior Software Engineer"],
    ["I'm the owner of a bakery", "Owner"],
    ["I'm a team lead", "Team Lead"],
    ["I work as a freelance designer", "Freelance Designer"],
    ["my role is Director of Engineering", "Director of Engineering"],
    ["title: cofounder", "Co-Founder"],
    ["I'm Sam, the CTO at Globex", "CTO"],
    ["I'm Ana López, head of growth", "Head of Growth"],
  ])("finds the title in %s", (text, expected) => {
    expect(findJobTitle(text)).toBe(expected);
  });

  it.each([
    "I'm interested in a demo",
    "I'm looking for a product manager",
    "we're hiring a developer",
    "as a result we need more leads",
    "as soon as possible",
    "I'm in sales",
    "I'm the lead on this project",
    "as head",
    "We use Salesforce, the product manager loves it",
  ])("finds no title in %s", (text) => {
    expect(findJobTitle(text)).toBeNull();
  });
});

describe("parseJobTitle", () => {
  it("normalises case and acronyms", () => {
    expect(parseJobTitle("head of IT")).toBe("Head of IT");
    expect(parseJobTitle("the cfo")).toBe("CFO");
    expect(parseJobTitle("vp engineering")).toBe("VP Engineering");
  });

  it("rejects phrases that are not titles", () => {
    expect(parseJobTitle("marketing")).toBeNull();
    expect(parseJobTitle("CTO at Globex")).toBeNull();
  });
});

describe("rateSeniority", () => {
  it.each([
    ["CEO", "executive"],
    ["Co-Founder", "executive"],
    ["Vice President of Sales", "executive"],
    ["Chief of Staff", "executive"],
    ["Managing Director", "executive"],
    ["Head of Marketing", "director"],
    ["Director of Engineering", "director"],
    ["Product Manager", "manager"],
    ["Product Owner", "manager"],
    ["Partner Manager", "manager"],
    ["Tech Lead", "manager"],
    ["Senior Software Engineer", "individual"],
    ["Account Executive", "individual"],
    ["Executive Assistant", "individual"],
  ])("rates %s as %s", (title, expected) => {
    expect(rateSeniority(title)).toBe(expected);
  });
});
