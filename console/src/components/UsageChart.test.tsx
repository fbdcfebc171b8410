import { render } from "preact";
import { describe, expect, it } from "vitest";
import { daysOfMonth, scaleTop, UsageChart } from "./UsageChart";

describe("the usage chart", () => {
  it("has a bar slot for every day of the month, February's too", () => {
    const days = daysOfMonth("2026-02", [{ day: "2026-02-07", counts: { utility: 2 } }]);
    expect(days).toHaveLength(28);
    expect(days[6]).toEqual({ day: "2026-02-07", counts: { utility: 2 } });
    expect(days[0].counts).toEqual({});
  });

  it("scales to the busiest day, rounded up to a readable top", () => {
    expect(scaleTop([{ day: "d", counts: { inbound: 2, utility: 1 } }])).toBe(5);
    expect(scaleTop([{ day: "d", counts: { inbound: 40, service: 7 } }])).toBe(50);
    expect(scaleTop([{ day: "d", counts: { marketing: 1234 } }])).toBe(2000);
  });

  it("stacks a day's categories, each bar as tall as its count", () => {
    const host = document.createElement("div");
    const days = [{ day: "2026-12-07", counts: { inbound: 2, utility: 2, submitted: 9 } }];
    render(<UsageChart month="2026-12" days={days} label="usage" names={{}} />, host);
    const bars = [...host.querySelectorAll('[data-day="2026-12-07"] rect.bar')];
    // only categories are drawn (submitted is a count of sends, not a category of its own)
    expect(bars.map((bar) => [bar.getAttribute("data-meter"), bar.getAttribute("data-count")])).toEqual([
      ["inbound", "2"],
      ["utility", "2"],
    ]);
    const heights = bars.map((bar) => Number(bar.getAttribute("height")));
    expect(heights[0]).toBeCloseTo(heights[1]);
    expect(host.querySelector("svg")?.getAttribute("aria-label")).toBe("usage");
  });
});
