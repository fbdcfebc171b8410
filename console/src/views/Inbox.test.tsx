import { describe, expect, it } from "vitest";
import type { Conversation } from "../lib/api";
import { byLastActivity, displayName, matching } from "./Inbox";

const anna: Conversation = {
  customer_id: "cus_a",
  wa_id: "436601234567",
  name: "Anna",
  last_message_at: "2026-11-25T10:00:00Z",
  last_message_preview: "Habt ihr heute Kipferl?",
  service_window_open: true,
};
const ben: Conversation = {
  customer_id: "cus_b",
  user_id: "AT.123",
  last_message_at: "2026-11-25T11:00:00Z",
  last_message_preview: "Danke!",
  service_window_open: false,
};

describe("the inbox", () => {
  it("lists conversations by last activity", () => {
    expect(byLastActivity([anna, ben]).map((c) => c.customer_id)).toEqual(["cus_b", "cus_a"]);
  });

  it("finds by name, number (with or without +) and text", () => {
    expect(matching([anna, ben], "anna")).toEqual([anna]);
    expect(matching([anna, ben], "+43660")).toEqual([anna]);
    expect(matching([anna, ben], "kipferl heute")).toEqual([anna]);
    expect(matching([anna, ben], "danke")).toEqual([ben]);
    expect(matching([anna, ben], "  ")).toEqual([anna, ben]);
  });

  it("names a customer by name, else number, else user id", () => {
    expect(displayName(anna)).toBe("Anna");
    expect(displayName({ ...anna, name: null })).toBe("+436601234567");
    expect(displayName(ben)).toBe("AT.123");
  });
});
