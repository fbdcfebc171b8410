import type { Message } from "../lib/api";
import { t } from "../lib/i18n";

function safeLink(url: unknown): string | null {
  return typeof url === "string" && /^https:\/\//i.test(url) ? url : null;
}

/** Every message type readable: text, media (linked), locations, interactive replies, reactions, ... */
export function MessageBody({ message }: { message: Message }) {
  if (message.deleted_at) return <p class="body deleted">{t("deleted")}</p>;
  const kind = message.type;
  const body = (message.content?.[kind] ?? {}) as Record<string, any>;
  switch (kind) {
    case "text":
      return <p class="body">{String(body.body ?? "")}</p>;
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker": {
      const link = safeLink(body.link);
      const label = body.filename || body.caption || `${t("media")}: ${kind}`;
      return (
        <p class="body media">
          <span class="badge">{kind}</span>{" "}
          {link ? (
            <a href={link} target="_blank" rel="noopener noreferrer">
              {label}
            </a>
          ) : (
            <span>{label}</span>
          )}
          {body.caption && body.filename ? <span class="caption"> — {body.caption}</span> : null}
        </p>
      );
    }
    case "location": {
      const { latitude, longitude } = body;
      const map =
        typeof latitude === "number" && typeof longitude === "number"
          ? `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`
          : null;
      return (
        <p class="body location">
          <span class="badge">{t("location")}</span> {[body.name, body.address].filter(Boolean).join(", ")}{" "}
          {map && (
            <a href={map} target="_blank" rel="noopener noreferrer">
              {t("openMap")} ({latitude}, {longitude})
            </a>
          )}
        </p>
      );
    }
    case "interactive": {
      const reply = body.button_reply ?? body.list_reply ?? {};
      return (
        <p class="body interactive">
          <span class="badge">↩</span> {reply.title ?? body.type ?? "interactive"}
          {reply.description ? <span class="caption"> — {reply.description}</span> : null}
        </p>
      );
    }
    case "button":
      return (
        <p class="body interactive">
          <span class="badge">↩</span> {body.text ?? body.payload}
        </p>
      );
    case "reaction":
      return (
        <p class="body reaction">
          <span class="badge">{t("reaction")}</span> {body.emoji ?? "—"}
        </p>
      );
    case "contacts": {
      const contacts = (message.content?.contacts ?? []) as Record<string, any>[];
      return (
        <p class="body contacts">
          <span class="badge">contacts</span>{" "}
          {contacts.map((c) => c?.name?.formatted_name ?? "").filter(Boolean).join(", ") || "—"}
        </p>
      );
    }
    case "template":
      return (
        <p class="body template">
          <span class="badge">template</span> {body.name} ({body.language?.code})
        </p>
      );
    default:
      return <p class="body unsupported">{t("unsupported", { type: kind })}</p>;
  }
}
