import { render } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Api, Conversation } from "../lib/api";
import { byLastActivity, displayName, Inbox, matching } from "./Inbox";

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

afterEach(() => vi.useRealTimers());

describe("the inbox", () => {
  it("shows a conversation the server lists from its next poll, a second later, without a reload", async () => {
    // Given an inbox whose first read finds nothing, and a customer who writes right after
    vi.useFakeTimers();
    const conversations = vi.fn().mockResolvedValueOnce({ items: [] }).mockResolvedValue({ items: [anna] });
    const api = { conversations, markRead: vi.fn() } as unknown as Api;
    const { container } = render(
      <Inbox api={api} memberId="m-1" memberEmail="eva@example.com" owner={true} open={() => undefined} />,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(container.querySelector('[data-customer="cus_a"]')).toBeNull();
    // When a second passes
    await vi.advanceTimersByTimeAsync(1000);
    // Then the list was read again and shows the conversation
    expect(conversations).toHaveBeenCalledTimes(2);
    expect(container.querySelector('[data-customer="cus_a"]')!.textContent).toContain("Habt ihr heute Kipferl?");
  });

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
