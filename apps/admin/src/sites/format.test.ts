import { describe, expect, it } from "vitest";

import { budgetText, describeMonthSpend, describeTodaySpend, embedSnippet, formatBudget, loaderUrl, shareOfBudget, widgetOriginOf } from "./format";

describe("embedSnippet", () => {
  it("loads the widget's loader.js with the site's key, under any path prefix", () => {
    expect(embedSnippet("http://localhost:3000", "demo")).toBe('<script src="http://localhost:3000/loader.js" data-site-key="demo" async></script>');
    expect(loaderUrl("https://example.com/widget/")).toBe("https://example.com/widget/loader.js");
    expect(loaderUrl("https://example.com/widget")).toBe("https://example.com/widget/loader.js");
  });

  it("names a placeholder host when the admin app does not know the widget's URL", () => {
    expect(embedSnippet(null, "acme")).toBe('<script src="https://your-widget-host/loader.js" data-site-key="acme" async></script>');
  });
});

describe("widgetOriginOf", () => {
  it("is scheme://host[:port] of the widget's URL, path left out", () => {
    expect(widgetOriginOf("http://localhost:3000")).toBe("http://localhost:3000");
    expect(widgetOriginOf("https://example.com/widget/")).toBe("https://example.com");
    expect(widgetOriginOf(null)).toBeNull();
  });
});

describe("budgets and spend", () => {
  it("types a stored budget without its trailing zeros, and the default as empty", () => {
    expect(budgetText("2.5000")).toBe("2.5");
    expect(budgetText("0.0000")).toBe("0");
    expect(budgetText("1000.0000")).toBe("1000");
    expect(budgetText(null)).toBe("");
  });

  it("says plainly that a budget of 0 switches the model off", () => {
    expect(formatBudget(5)).toBe("$5.00");
    expect(formatBudget(0)).toBe("$0: the model is off");
    expect(describeTodaySpend("0", "0", 0)).toBe("$0 spent + $0 reserved; the model is off (budget $0)");
    expect(describeMonthSpend("0", 0)).toBe("$0 spent; the model is off (budget $0)");
  });

  it("reads today's spend and reservations, and the month's spend, against the budgets", () => {
    expect(describeTodaySpend("0.42000000", "0.01250000", 5)).toBe("$0.42 spent + $0.0125 reserved of $5.00");
    expect(describeMonthSpend("1234.5", 10_000)).toBe("$1,235 spent of $10,000");
  });

  it("fills the bar by the share used, never past full", () => {
    expect(shareOfBudget(1.25, 5)).toBe(0.25);
    expect(shareOfBudget(7, 5)).toBe(1);
    expect(shareOfBudget(0, 0)).toBe(1);
  });
});
