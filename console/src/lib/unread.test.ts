import { describe, expect, it } from "vitest";
import type { Conversation } from "./api";
import { assignedAs, isUnread, needsMarking, unreadLabel } from "./unread";

const written: Conversation = {
  customer_id: "cus_a",
  last_message_at: "2026-11-25T10:00:00Z",
  last_direction: "inbound",
  service_window_open: true,
  unread: 2,
};

describe("unread conversations", () => {
  it("a conversation is unread while the server counts customer messages since it was opened", () => {
    expect(isUnread(written)).toBe(true);
    expect(isUnread({ ...written, unread: 0 })).toBe(false);
  });

  it("a badge shows the count, and 99+ from the server's cap", () => {
    expect(unreadLabel(3)).toBe("3");
    expect(unreadLabel(100)).toBe("99+");
  });

  it("the open conversation is marked read once per new message, not on every poll", () => {
    expect(needsMarking(written, undefined)).toBe(true);
    expect(needsMarking(written, "2026-11-25T10:00:00Z")).toBe(false);
    expect(needsMarking({ ...written, last_message_at: "2026-11-25T10:05:00Z" }, "2026-11-25T10:00:00Z")).toBe(true);
    expect(needsMarking({ ...written, unread: 0 }, undefined)).toBe(false);
  });

  it("filters the inbox by assignee: mine, unassigned or all", () => {
    const mine = { ...written, customer_id: "cus_m", assignee: { member_id: "me", email: "me@example.com" } };
    const theirs = { ...written, customer_id: "cus_t", assignee: { member_id: "eva", email: "eva@example.com" } };
    const all = [written, mine, theirs];
    expect(assignedAs(all, "mine", "me").map((c) => c.customer_id)).toEqual(["cus_m"]);
    expect(assignedAs(all, "unassigned", "me").map((c) => c.customer_id)).toEqual(["cus_a"]);
    expect(assignedAs(all, "all", "me")).toHaveLength(3);
  });
});
