import { render } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { failureReason, tickFor } from "../lib/status";
import { StatusTicks } from "./StatusTicks";

describe("status ticks", () => {
  it.each([
    ["accepted", "pending", "🕓", "Queued"],
    ["sending", "pending", "🕓", "Sending"],
    ["submitted", "sent", "✓", "Submitted"],
    ["sent", "sent", "✓", "Sent"],
    ["delivered", "delivered", "✓✓", "Delivered"],
    ["read", "read", "✓✓", "Read"],
  ])("%s shows as %s", (status, tick, glyph, label) => {
    const { container } = render(<StatusTicks status={status} />);
    const ticks = container.querySelector(".ticks") as HTMLElement;
    expect(ticks.className).toContain(`ticks-${tick}`);
    expect(ticks.querySelector('[aria-hidden="true"]')?.textContent).toBe(glyph);
    // a screen reader hears the status, not the glyph
    expect(ticks.querySelector(".visually-hidden")?.textContent).toBe(label);
  });

  it("a failed reply says why, as Meta said it", () => {
    const errors = [
      { code: 131047, title: "Re-engagement message", error_data: { details: "More than 24 hours have passed" } },
    ];
    const { container } = render(<StatusTicks status="failed" errors={errors} />);
    const ticks = container.querySelector(".ticks") as HTMLElement;
    expect(ticks.className).toContain("ticks-failed");
    expect(ticks.querySelector(".failure-reason")?.textContent).toBe(
      "Re-engagement message: More than 24 hours have passed (131047)",
    );
    expect(ticks.title).toContain("Failed: Re-engagement message");
  });

  it("a received message or an unknown status shows no ticks", () => {
    expect(tickFor("received")).toBe("none");
    expect(render(<StatusTicks status="something-new" />).container.innerHTML).toBe("");
    expect(failureReason([])).toBe("");
  });
});
