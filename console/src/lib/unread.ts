// Which conversations have news since this member last opened them (kept in this browser, per member).
import type { Conversation } from "./api";

export type Seen = Record<string, string>; // customer id -> last_message_at when last opened

const key = (memberId: string) => `bizline.console.seen.${memberId}`;

export function loadSeen(memberId: string, storage: Storage = localStorage): Seen {
  try {
    return JSON.parse(storage.getItem(key(memberId)) ?? "{}") as Seen;
  } catch {
    return {};
  }
}

export function markSeen(memberId: string, conversation: Conversation, seen: Seen, storage: Storage = localStorage): Seen {
  if (!conversation.last_message_at) return seen;
  const next = { ...seen, [conversation.customer_id]: conversation.last_message_at };
  storage.setItem(key(memberId), JSON.stringify(next));
  return next;
}

/** A customer wrote last, after the member last opened the conversation (or they never did). */
export function isUnread(conversation: Conversation, seen: Seen): boolean {
  if (conversation.last_direction !== "inbound" || !conversation.last_message_at) return false;
  const opened = seen[conversation.customer_id];
  return !opened || conversation.last_message_at > opened;
}
