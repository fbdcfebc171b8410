import { describe, expect, it } from "vitest";
import { momentOf, sendAtOf, timeZones, wallClock, wallClockIn } from "./schedule";

describe("a newsletter's time in a chosen zone", () => {
  it("reads a wall-clock time in a zone as its moment, summer and winter", () => {
    expect(momentOf("2026-12-24T09:00:00", "Europe/Vienna").toISOString()).toBe("2026-12-24T08:00:00.000Z");
    expect(momentOf("2026-07-01T09:00", "Europe/Vienna").toISOString()).toBe("2026-07-01T07:00:00.000Z");
    expect(momentOf("2026-12-24T09:00:00", "America/New_York").toISOString()).toBe("2026-12-24T14:00:00.000Z");
    expect(momentOf("2026-12-24T09:00:00", "UTC").toISOString()).toBe("2026-12-24T09:00:00.000Z");
  });

  it("gets the day right across the date line and the hour right across a DST change", () => {
    expect(momentOf("2026-12-24T09:00:00", "Pacific/Auckland").toISOString()).toBe("2026-12-23T20:00:00.000Z");
    // 29 March 2026 in Vienna: 02:00 jumps to 03:00; 03:30 is already summer time
    expect(momentOf("2026-03-29T03:30:00", "Europe/Vienna").toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(momentOf("2026-03-29T01:30:00", "Europe/Vienna").toISOString()).toBe("2026-03-29T00:30:00.000Z");
  });

  it("shows a moment as the zone's wall clock, and starts the picker a little ahead of now", () => {
    const at = new Date("2026-12-07T10:15:30.400Z");
    expect(wallClock(at, "Europe/Vienna")).toBe("2026-12-07T11:15:30");
    expect(wallClockIn(10, "Asia/Kolkata", at)).toBe("2026-12-07T15:45:41");
  });

  it("sends the API the local time with its zone, seconds added where the picker left them out", () => {
    expect(sendAtOf("2026-12-24T09:00", "Europe/Vienna")).toEqual({ send_at: "2026-12-24T09:00:00", timezone: "Europe/Vienna" });
    expect(sendAtOf("2026-12-24T09:00:05", "UTC")).toEqual({ send_at: "2026-12-24T09:00:05", timezone: "UTC" });
  });

  it("offers the zones the browser knows, UTC among them", () => {
    const zones = timeZones();
    expect(zones).toContain("UTC");
    expect(zones).toContain("Europe/Vienna");
  });
});
