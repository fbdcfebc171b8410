import { beforeEach, describe, expect, it } from "vitest";
import type { Conversation } from "./api";
import { isUnread, loadSeen, markSeen } from "./unread";

const written: Conversation = {
  customer_id: "cus_a",
  last_message_at: "2026-11-25T10:00:00Z",
  last_direction: "inbound",
  service_window_open: true,
};

describe("unread conversations", () => {
  beforeEach(() => localStorage.clear());

  it("a customer's last message is news until the member opens the conversation", () => {
    expect(isUnread(written, loadSeen("m1"))).toBe(true);
    const seen = markSeen("m1", written, loadSeen("m1"));
    expect(isUnread(written, seen)).toBe(false);
    // kept for this member across reloads, not for another member
    expect(isUnread(written, loadSeen("m1"))).toBe(false);
    expect(isUnread(written, loadSeen("m2"))).toBe(true);
  });

  it("a newer message is news again; the business's own reply is not", () => {
    const seen = markSeen("m1", written, {});
    expect(isUnread({ ...written, last_message_at: "2026-11-25T10:05:00Z" }, seen)).toBe(true);
    expect(isUnread({ ...written, last_direction: "outbound", last_message_at: "2026-11-25T10:06:00Z" }, seen)).toBe(false);
  });
});
