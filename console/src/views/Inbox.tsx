import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { MessageBody } from "../components/MessageBody";
import { StatusTicks } from "../components/StatusTicks";
import { WindowTimer } from "../components/WindowTimer";
import { ApiError, type Api, type Conversation, type Member, type Message } from "../lib/api";
import { formatTime, t } from "../lib/i18n";
import { windowState } from "../lib/serviceWindow";
import { missing, preview, sendable, variableKeys, type MessageTemplate } from "../lib/templates";
import { assignedAs, isUnread, needsMarking, unreadLabel, type AssigneeFilter } from "../lib/unread";
import { usePolling } from "../lib/usePolling";

// Conversations and the open thread are read again every second: new messages show within 3 s.
const POLL_MS = 1000;

export function displayName(conversation: Pick<Conversation, "name" | "wa_id" | "user_id" | "customer_id">): string {
  return conversation.name || (conversation.wa_id ? `+${conversation.wa_id}` : conversation.user_id || conversation.customer_id);
}

export function byLastActivity(conversations: Conversation[]): Conversation[] {
  return [...conversations].sort((a, b) => (b.last_message_at ?? "").localeCompare(a.last_message_at ?? ""));
}

/** Conversations matching a search: by name, number (with or without +) or the last message's text. */
export function matching(conversations: Conversation[], query: string): Conversation[] {
  const words = query.toLowerCase().replace(/\+/g, "").split(/\s+/).filter(Boolean);
  if (!words.length) return conversations;
  return conversations.filter((c) => {
    const haystack = [c.name, c.wa_id, c.user_id, c.last_message_preview].filter(Boolean).join(" ").toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

export function Inbox({
  api,
  memberId,
  memberEmail,
  owner,
  customerId,
  open,
}: {
  api: Api;
  memberId: string;
  memberEmail: string;
  owner: boolean;
  customerId?: string;
  open: (id?: string) => void;
}) {
  const { data, reload } = usePolling(() => api.conversations(), POLL_MS, []);
  const [query, setQuery] = useState("");
  const [filter, setFilter] = useState<AssigneeFilter>("all");
  const all = byLastActivity(data?.items ?? []);
  const conversations = matching(assignedAs(all, filter, memberId), query);
  const current = all.find((c) => c.customer_id === customerId);
  // The open conversation is read as it comes in: marked once per new message, for the whole team.
  const marked = useRef<Record<string, string | undefined>>({});
  useEffect(() => {
    if (!current || !needsMarking(current, marked.current[current.customer_id])) return;
    marked.current[current.customer_id] = current.last_message_at ?? undefined;
    api.markRead(current.customer_id).then(reload, () => undefined);
  }, [customerId, current?.last_message_at, current?.unread]);
  const unread = all.filter((c) => isUnread(c)).length;
  return (
    <div class={`inbox ${customerId ? "has-thread" : ""}`}>
      <section class="conversation-list" aria-label={t("conversations")}>
        <h2>
          {t("conversations")}
          {unread > 0 && (
            <span class="badge unread-count" aria-label={t("unreadCount", { count: String(unread) })}>
              {unread}
            </span>
          )}
        </h2>
        <div class="search">
          <label class="visually-hidden" for="search">
            {t("search")}
          </label>
          <input
            id="search"
            type="search"
            placeholder={t("search")}
            value={query}
            onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          />
          <label class="visually-hidden" for="assignee-filter">
            {t("show")}
          </label>
          <select
            id="assignee-filter"
            value={filter}
            onChange={(e) => setFilter((e.target as HTMLSelectElement).value as AssigneeFilter)}
          >
            <option value="all">{t("filterAll")}</option>
            <option value="mine">{t("filterMine")}</option>
            <option value="unassigned">{t("filterUnassigned")}</option>
          </select>
        </div>
        {data === null ? (
          <p class="muted">{t("loading")}</p>
        ) : conversations.length === 0 ? (
          <p class="muted">{t("noConversations")}</p>
        ) : (
          <ul>
            {conversations.map((conversation) => (
              <li key={conversation.customer_id}>
                <button
                  type="button"
                  class={`conversation ${conversation.customer_id === customerId ? "selected" : ""} ${
                    isUnread(conversation) ? "unread" : ""
                  }`}
                  aria-current={conversation.customer_id === customerId ? "true" : undefined}
                  data-customer={conversation.customer_id}
                  onClick={() => open(conversation.customer_id)}
                >
                  <span class="who">{displayName(conversation)}</span>
                  <span class="when">{formatTime(conversation.last_message_at)}</span>
                  <span class="preview">
                    {conversation.last_direction === "outbound" ? `${t("you")}: ` : ""}
                    {conversation.last_message_preview}
                  </span>
                  {isUnread(conversation) && (
                    <span
                      class="badge unread-in"
                      aria-label={t("unreadIn", { count: unreadLabel(conversation.unread ?? 0) })}
                    >
                      {unreadLabel(conversation.unread ?? 0)}
                    </span>
                  )}
                  {conversation.assignee && <span class="assigned muted">{conversation.assignee.email}</span>}
                  <span
                    class={`dot ${windowState(conversation.service_window_expires_at, Date.now()).open ? "dot-open" : ""}`}
                    aria-hidden="true"
                  />
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="thread-pane" aria-label={current ? displayName(current) : t("pickConversation")}>
        {customerId ? (
          <Thread
            api={api}
            customerId={customerId}
            conversation={current}
            back={() => open(undefined)}
            assignment={
              <Assignment
                api={api}
                conversation={current}
                me={{ member_id: memberId, email: memberEmail }}
                owner={owner}
                changed={reload}
              />
            }
          />
        ) : (
          <p class="muted empty">{t("pickConversation")}</p>
        )}
      </section>
    </div>
  );
}

/** Whom the conversation is assigned to: nobody, me, or (for an owner, who sees the team) any member. */
function Assignment({
  api,
  conversation,
  me,
  owner,
  changed,
}: {
  api: Api;
  conversation?: Conversation;
  me: { member_id: string; email: string };
  owner: boolean;
  changed: () => void;
}) {
  const [team, setTeam] = useState<Pick<Member, "member_id" | "email">[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    if (owner) api.members().then((page) => setTeam(page.items), () => setTeam([]));
  }, [owner]);
  if (!conversation) return null;
  const current = conversation.assignee;
  const others = [...team, ...(current ? [current] : [])].filter(
    (member, index, all) => member.member_id !== me.member_id && all.findIndex((m) => m.member_id === member.member_id) === index,
  );
  const choose = async (memberId: string) => {
    setError("");
    try {
      await api.assign(conversation.customer_id, memberId || null);
      changed();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };
  return (
    <span class="assignment">
      <label for="assignee">{t("assignee")}</label>{" "}
      <select id="assignee" value={current?.member_id ?? ""} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
        <option value="">{t("nobody")}</option>
        <option value={me.member_id}>{t("me", { email: me.email })}</option>
        {others.map((member) => (
          <option key={member.member_id} value={member.member_id}>
            {member.email}
          </option>
        ))}
      </select>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

function Thread({
  api,
  customerId,
  conversation,
  back,
  assignment,
}: {
  api: Api;
  customerId: string;
  conversation?: Conversation;
  back: () => void;
  assignment?: ComponentChildren;
}) {
  const { data, reload } = usePolling(() => api.messages(customerId), POLL_MS, [customerId]);
  const messages = [...(data?.items ?? [])].reverse();
  const end = useRef<HTMLDivElement>(null);
  const count = messages.length;
  useEffect(() => end.current?.scrollIntoView?.({ block: "end" }), [count, customerId]);
  const lastInbound = [...messages].reverse().find((m) => m.direction === "inbound");
  const phoneNumberId = (lastInbound ?? messages[messages.length - 1])?.phone_number_id;
  return (
    <div class="thread">
      <header class="thread-header">
        <button type="button" class="back" onClick={back}>
          ← {t("back")}
        </button>
        <h2>{conversation ? displayName(conversation) : customerId}</h2>
        <WindowTimer expiresAt={conversation?.service_window_expires_at} />
        {assignment}
      </header>
      <ol class="messages" aria-live="polite">
        {messages.map((message) => (
          <MessageItem key={message.message_id} message={message} />
        ))}
        <div ref={end} />
      </ol>
      {!windowState(conversation?.service_window_expires_at, Date.now()).open && phoneNumberId && (
        <TemplateComposer api={api} customerId={customerId} phoneNumberId={phoneNumberId} sent={reload} />
      )}
      <Composer
        api={api}
        customerId={customerId}
        phoneNumberId={phoneNumberId}
        windowExpiresAt={conversation?.service_window_expires_at}
        sent={reload}
      />
    </div>
  );
}

function MessageItem({ message }: { message: Message }) {
  return (
    <li class={`message ${message.direction}`} data-message={message.message_id} data-type={message.type}>
      <MessageBody message={message} />
      <p class="meta">
        {message.edited_at && !message.deleted_at ? <span class="edited">{t("edited")} · </span> : null}
        <time dateTime={message.sent_at}>{formatTime(message.sent_at)}</time>
        {message.sent_by ? <span class="sender"> · {t("sentBy", { email: message.sent_by.email })}</span> : null}
        {message.direction === "outbound" ? <StatusTicks status={message.status} errors={message.errors} /> : null}
      </p>
    </li>
  );
}

function Composer({
  api,
  customerId,
  phoneNumberId,
  windowExpiresAt,
  sent,
}: {
  api: Api;
  customerId: string;
  phoneNumberId?: string;
  windowExpiresAt?: string | null;
  sent: () => void;
}) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  // The reply leaves from the number the customer wrote to: known once the thread has loaded.
  const windowOpen = windowState(windowExpiresAt, Date.now()).open;
  const open = windowOpen && Boolean(phoneNumberId);
  const submit = async (event?: Event) => {
    event?.preventDefault();
    if (!text.trim() || !phoneNumberId || busy) return;
    setBusy(true);
    setError("");
    try {
      await api.reply(customerId, phoneNumberId, text.trim());
      setText("");
      sent();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="composer" onSubmit={submit}>
      <label class="visually-hidden" for="reply">
        {t("reply")}
      </label>
      <textarea
        id="reply"
        rows={2}
        value={text}
        disabled={!open || busy}
        placeholder={windowOpen ? t("replyPlaceholder") : t("windowClosed")}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" disabled={!open || busy || !text.trim()}>
        {busy ? t("sending") : t("send")}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Outside the window: an approved template, its variables filled, with a preview of what the customer reads. */
function TemplateComposer({
  api,
  customerId,
  phoneNumberId,
  sent,
}: {
  api: Api;
  customerId: string;
  phoneNumberId: string;
  sent: () => void;
}) {
  const [templates, setTemplates] = useState<MessageTemplate[] | null>(null);
  const [chosen, setChosen] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  useEffect(() => {
    api.templates().then((page) => setTemplates(sendable(page.items)), (e) => setError(String(e.message ?? e)));
  }, []);
  const template = templates?.find((candidate) => candidate.template_id === chosen);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!template || missing(template, values).length) return;
    setError("");
    try {
      await api.replyWithTemplate(customerId, phoneNumberId, template, values);
      setValues({});
      sent();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };
  if (templates === null) return null;
  if (!templates.length) return <p class="muted template-composer">{t("noTemplates")}</p>;
  return (
    <form class="template-composer stack" onSubmit={submit}>
      <label for="template">{t("chooseTemplate")}</label>
      <select id="template" value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
        <option value="">—</option>
        {templates.map((candidate) => (
          <option key={candidate.template_id} value={candidate.template_id}>
            {candidate.name} ({candidate.language})
          </option>
        ))}
      </select>
      {template &&
        variableKeys(template).map((key) => (
          <div key={key} class="stack">
            <label for={`var-${key}`}>{t("variable", { name: key })}</label>
            <input
              id={`var-${key}`}
              value={values[key] ?? ""}
              onInput={(e) => setValues({ ...values, [key]: (e.target as HTMLInputElement).value })}
            />
          </div>
        ))}
      {template && (
        <p class="template-preview">
          <span class="muted">{t("previewLabel")}:</span> {preview(template, values)}
        </p>
      )}
      <button type="submit" disabled={!template || missing(template, values).length > 0}>
        {t("sendTemplate")}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
