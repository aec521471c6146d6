import { describe, expect, it } from "vitest";

import { contactFacts, factorLabel, formatPoints, LEAD_STATUSES, leadName, parseStatus, signalFacts, statusLabel } from "./format";

describe("lead statuses", () => {
  it("lists every status in the order a lead climbs them", () => {
    expect(LEAD_STATUSES).toEqual(["new", "engaged", "qualified", "hot"]);
    expect(statusLabel("hot")).toBe("Hot");
  });

  it("reads the filter from the URL, ignoring anything else", () => {
    expect(parseStatus("qualified")).toBe("qualified");
    expect(parseStatus(["hot"])).toBe("hot");
    expect(parseStatus("HOT")).toBeNull();
    expect(parseStatus(undefined)).toBeNull();
  });
});

describe("contact details", () => {
  it("names a lead by the best thing the visitor gave", () => {
    expect(leadName({ name: "Ada Lovelace", email: "ada@example.com" })).toBe("Ada Lovelace");
    expect(leadName({ name: "  ", email: "ada@example.com" })).toBe("ada@example.com");
    expect(leadName({ company: "Analytical Engines" })).toBe("Analytical Engines");
    expect(leadName({})).toBe("Anonymous visitor");
  });

  it("lists what was given, in a fixed order", () => {
    expect(contactFacts({ jobTitle: "CTO", email: "ada@example.com", name: "Ada", phone: "" })).toEqual([
      { label: "Name", value: "Ada" },
      { label: "Email", value: "ada@example.com" },
      { label: "Job title", value: "CTO" },
    ]);
    expect(signalFacts({ budget: "$50k", need: "lead scoring" })).toEqual([
      { label: "Budget", value: "$50k" },
      { label: "Need", value: "lead scoring" },
    ]);
  });

  it("words the scorer's factor names", () => {
    expect(factorLabel("workEmail")).toBe("Work email");
    expect(factorLabel("team_size")).toBe("Team size");
    expect(factorLabel("budget")).toBe("Budget");
  });

  it("signs points", () => {
    expect(formatPoints(20)).toBe("+20");
    expect(formatPoints(-5)).toBe("−5");
    expect(formatPoints(0)).toBe("0");
  });
});
