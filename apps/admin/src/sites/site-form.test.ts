import { describe, expect, it } from "vitest";

import { describeChanges, draftOf, placeIssues, readDraft, splitOrigins, type SiteDraft } from "./site-form";

const SITE = {
  id: "4b0c7a38-0a4e-4f44-9b1e-2f7a1c3d5e6f",
  allowedOrigins: ["http://localhost:3000", "https://acme.example"],
  rateLimits: { messagesPerSession: 50 },
  dailyBudgetUsd: "2.5000",
  monthlyBudgetUsd: null,
};

const edit = (change: (draft: SiteDraft) => void) => {
  const draft = draftOf(SITE);
  change(draft);
  return readDraft(SITE, draft);
};

describe("draftOf", () => {
  it("shows the site's own settings, and empty fields where the default applies", () => {
    const draft = draftOf(SITE);
    expect(draft.allowedOrigins).toBe("http://localhost:3000\nhttps://acme.example");
    expect(draft.rates).toEqual({
      sessionMessagesPerMinute: "",
      addressMessagesPerMinute: "",
      siteMessagesPerMinute: "",
      addressSessionsPerMinute: "",
      siteSessionsPerMinute: "",
      messagesPerSession: "50",
    });
    expect([draft.dailyBudgetUsd, draft.monthlyBudgetUsd]).toEqual(["2.5", ""]);
  });
});

describe("readDraft", () => {
  it("has nothing to save when nothing changed", () => {
    expect(readDraft(SITE, draftOf(SITE))).toEqual({ ok: true, update: null, origins: SITE.allowedOrigins });
    // Blank lines and spaces around an origin are not a change.
    expect(edit((d) => (d.allowedOrigins = "  http://localhost:3000\n\nhttps://acme.example \n"))).toMatchObject({ ok: true, update: null });
  });

  it("sends only what changed, the rate limits as one whole object", () => {
    const result = edit((d) => {
      d.allowedOrigins += "\nhttps://shop.acme.example";
      d.rates.sessionMessagesPerMinute = " 20 ";
      d.reason = " New shop ";
    });
    expect(result).toEqual({
      ok: true,
      origins: [...SITE.allowedOrigins, "https://shop.acme.example"],
      update: {
        id: SITE.id,
        changes: { allowedOrigins: [...SITE.allowedOrigins, "https://shop.acme.example"], rateLimits: { sessionMessagesPerMinute: 20, messagesPerSession: 50 } },
        reason: "New shop",
      },
    });
  });

  it("an emptied field goes back to the default: a rate left out, a budget null; 0 is a budget of its own", () => {
    const changesOf = (result: ReturnType<typeof edit>) => (result.ok ? result.update?.changes : null);
    expect(changesOf(edit((d) => (d.rates.messagesPerSession = "")))).toEqual({ rateLimits: {} });
    expect(changesOf(edit((d) => (d.dailyBudgetUsd = "")))).toEqual({ dailyBudgetUsd: null });
    expect(changesOf(edit((d) => (d.monthlyBudgetUsd = "0")))).toEqual({ monthlyBudgetUsd: 0 });
    expect(changesOf(edit((d) => (d.dailyBudgetUsd = "$7.25")))).toEqual({ dailyBudgetUsd: 7.25 });
    // The same amount written differently is no change.
    expect(edit((d) => (d.dailyBudgetUsd = "2.50"))).toMatchObject({ update: null });
  });

  it("leaves bounds to the server, but cannot send a word where a number goes", () => {
    expect(edit((d) => (d.rates.siteMessagesPerMinute = "0"))).toMatchObject({ update: { changes: { rateLimits: { siteMessagesPerMinute: 0 } } } });
    expect(edit((d) => (d.dailyBudgetUsd = "-1"))).toMatchObject({ update: { changes: { dailyBudgetUsd: -1 } } });
    expect(
      edit((d) => {
        d.rates.siteMessagesPerMinute = "lots";
        d.monthlyBudgetUsd = "1,000";
      }),
    ).toEqual({
      ok: false,
      errors: {
        siteMessagesPerMinute: "Enter a number, or leave it empty for the default",
        monthlyBudgetUsd: "Enter an amount in dollars like 5 or 2.50, or leave it empty for the default",
      },
    });
  });
});

describe("splitOrigins", () => {
  it("takes one origin per line, or separated by spaces or commas", () => {
    expect(splitOrigins("https://a.example\r\n https://b.example, https://c.example\n\n")).toEqual(["https://a.example", "https://b.example", "https://c.example"]);
    expect(splitOrigins("  \n")).toEqual([]);
  });
});

describe("placeIssues", () => {
  it("puts each refusal beside its field, an origin's by its value", () => {
    const sent = ["http://localhost:3000", "https://x.example/path"];
    expect(
      placeIssues(
        [
          { path: "changes.allowedOrigins.1", message: "An origin is scheme://host[:port], nothing more" },
          { path: "changes.rateLimits.sessionMessagesPerMinute", message: "at least 1" },
          { path: "changes.dailyBudgetUsd", message: "0 or more" },
          { path: "reason", message: "Too long" },
        ],
        sent,
      ),
    ).toEqual({
      fields: {
        allowedOrigins: "https://x.example/path: An origin is scheme://host[:port], nothing more",
        sessionMessagesPerMinute: "Must be at least 1",
        dailyBudgetUsd: "Must be 0 or more",
        reason: "Too long",
      },
      other: [],
    });
  });

  it("joins two refusals of one field, and keeps those of no field apart", () => {
    expect(
      placeIssues(
        [
          { path: "changes.allowedOrigins.0", message: "Invalid URL" },
          { path: "changes.allowedOrigins.2", message: "Invalid URL" },
          { path: "changes", message: "Nothing to change" },
          { path: "changes.rateLimits", message: "Unrecognized key" },
        ],
        ["a", "b", "c"],
      ),
    ).toEqual({ fields: { allowedOrigins: "a: Invalid URL; c: Invalid URL" }, other: ["Nothing to change", "Unrecognized key"] });
  });
});

describe("describeChanges", () => {
  it("names what a save changed, in words", () => {
    expect(describeChanges({ allowedOrigins: [], rateLimits: {}, dailyBudgetUsd: 1 })).toBe("allowed origins, rate limits and daily budget");
    expect(describeChanges({ monthlyBudgetUsd: null })).toBe("monthly budget");
  });
});
