import { act, render, screen } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatLeft, windowState } from "../lib/serviceWindow";
import { WindowTimer } from "./WindowTimer";

const NOW = Date.parse("2026-11-25T10:00:00Z");

describe("the customer service window", () => {
  it("is open until it expires, with the time left", () => {
    expect(windowState("2026-11-26T09:59:00Z", NOW)).toEqual({ open: true, msLeft: 23 * 3600_000 + 59 * 60_000 });
    expect(windowState("2026-11-25T10:00:00Z", NOW)).toEqual({ open: false, msLeft: 0 });
    expect(windowState(null, NOW)).toEqual({ open: false, msLeft: 0 });
  });

  it("says the time left in hours and minutes, seconds only in the last minute", () => {
    expect(formatLeft(23 * 3600_000 + 59 * 60_000 + 59_000)).toBe("23 h 59 min");
    expect(formatLeft(12 * 60_000 + 5_000)).toBe("12 min");
    expect(formatLeft(45_000)).toBe("45 s");
    expect(formatLeft(-1)).toBe("0 s");
  });
});

describe("WindowTimer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("counts down while it is shown and closes when the window ends", () => {
    // Given a window that ends in 61 seconds
    render(<WindowTimer expiresAt="2026-11-25T10:01:01Z" />);
    const status = screen.getByRole("status");
    expect(status.dataset.open).toBe("true");
    expect(status.textContent).toContain("1 min left to reply");
    // When 30 seconds pass
    act(() => {
      vi.advanceTimersByTime(30_000);
    });
    // Then it shows seconds
    expect(status.textContent).toContain("31 s left to reply");
    // And when the window has ended, it says only a template may be sent
    act(() => {
      vi.advanceTimersByTime(31_000);
    });
    expect(status.dataset.open).toBe("false");
    expect(status.textContent).toContain("Window closed");
  });

  it("is closed for a customer who never wrote", () => {
    render(<WindowTimer expiresAt={null} />);
    expect(screen.getByRole("status").dataset.open).toBe("false");
  });
});
