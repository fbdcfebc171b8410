// A reply's status as ticks: queued (clock), sent (one tick), delivered (two), read (two, coloured), failed.
import type { Message } from "./api";

export type Tick = "pending" | "sent" | "delivered" | "read" | "failed" | "none";

export function tickFor(status: string): Tick {
  switch (status) {
    case "accepted":
    case "sending":
      return "pending";
    case "submitted":
    case "sent":
      return "sent";
    case "delivered":
      return "delivered";
    case "read":
      return "read";
    case "failed":
      return "failed";
    default:
      return "none";
  }
}

export const TICK_GLYPH: Record<Tick, string> = {
  pending: "🕓",
  sent: "✓",
  delivered: "✓✓",
  read: "✓✓",
  failed: "⚠",
  none: "",
};

/** Why a reply failed, as Meta said it (title, message, details), or "". */
export function failureReason(errors: Message["errors"] | undefined): string {
  const first = errors?.[0];
  if (!first) return "";
  const parts = [first.title, first.message, first.error_data?.details].filter(
    (part, index, all) => part && all.indexOf(part) === index,
  );
  return [parts.join(": "), first.code ? `(${first.code})` : ""].filter(Boolean).join(" ");
}
