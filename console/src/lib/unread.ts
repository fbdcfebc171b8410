// Unread counts come from the server: the team shares one inbox, so a conversation one member opened
// is read for everyone. The server counts up to 100 customer messages since it was last opened.
import type { Conversation } from "./api";

export const UNREAD_CAP = 100;

export function isUnread(conversation: Pick<Conversation, "unread">): boolean {
  return (conversation.unread ?? 0) > 0;
}

/** What a badge shows: the count, or "99+" from the server's cap on. */
export function unreadLabel(count: number): string {
  return count >= UNREAD_CAP ? "99+" : String(count);
}

/** Whether the open conversation has news to mark read: unread, and not already marked for this message. */
export function needsMarking(conversation: Pick<Conversation, "unread" | "last_message_at">, markedAt?: string): boolean {
  return isUnread(conversation) && conversation.last_message_at !== markedAt;
}

export type AssigneeFilter = "all" | "mine" | "unassigned";

export function assignedAs(conversations: Conversation[], filter: AssigneeFilter, memberId: string): Conversation[] {
  if (filter === "mine") return conversations.filter((c) => c.assignee?.member_id === memberId);
  if (filter === "unassigned") return conversations.filter((c) => !c.assignee);
  return conversations;
}
