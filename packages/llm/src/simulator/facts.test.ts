import { describe, expect, it } from "vitest";

import { findFacts } from "./facts";

describe("findFacts", () => {
  it.each([
    ["I'm Jane from Acme Corp. My budget is $20k", { name: "Jane", company: "Acme Corp", budget: "$20k" }],
    ["reach me at jane@acme.io", { email: "jane@acme.io" }],
    ["I'm interested in pricing", {}],
    ["we want to go live in Q3", { timeline: "Q3" }],
    ["about 50k, ideally within 6 weeks", { budget: "50k", timeline: "within 6 weeks" }],
    ["We work with Globex", { company: "Globex" }],
    ["starting from March", { timeline: "March" }],
  ])("reads %j", (text, facts) => {
    expect(findFacts(text, undefined)).toEqual(facts);
  });

  it("takes a short reply as the answer to the question just asked", () => {
    expect(findFacts("jane doe", "name")).toEqual({ name: "Jane Doe" });
    expect(findFacts("Initech", "company")).toEqual({ company: "Initech" });
    expect(findFacts("tomorrow", "timeline")).toEqual({ timeline: "tomorrow" });
  });

  it("does not take a non-answer as one", () => {
    expect(findFacts("not sure yet", "company")).toEqual({});
    expect(findFacts("I want pricing", "name")).toEqual({});
    expect(findFacts("what does it cost?", "budget")).toEqual({});
  });
});
