import { useEffect, useState } from "preact/hooks";
import { ApiError, type Api, type ApiKey, type Delivery, type Member } from "../lib/api";
import { formatTime, t, type Key } from "../lib/i18n";
import { WebhookSecret } from "./settings/WebhookSecret";
import { WhatsAppNumbers } from "./settings/WhatsAppNumbers";

function message(failure: unknown): string {
  return failure instanceof ApiError ? failure.message : String(failure);
}

export function Settings({ api, memberId }: { api: Api; memberId: string }) {
  return (
    <div class="settings">
      <Team api={api} memberId={memberId} />
      <CallbackUrl api={api} />
      <WebhookSecret api={api} />
      <ApiKeys api={api} />
      <FailedDeliveries api={api} />
      <WhatsAppNumbers api={api} />
    </div>
  );
}

function CallbackUrl({ api }: { api: Api }) {
  const [url, setUrl] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  useEffect(() => {
    api.business().then((business) => setUrl(business.callback_url ?? ""), (e) => setStatus(message(e)));
  }, []);
  const save = async (event: Event) => {
    event.preventDefault();
    setStatus("");
    try {
      const business = await api.updateCallback(url ? url : null);
      setUrl(business.callback_url ?? "");
      setStatus(t("saved"));
    } catch (failure) {
      setStatus(message(failure));
    }
  };
  return (
    <section class="card" aria-labelledby="callback-title">
      <h2 id="callback-title">{t("callbackUrl")}</h2>
      <p class="muted">{t("callbackHint")}</p>
      <form class="row" onSubmit={save}>
        <label class="visually-hidden" for="callback-url">
          {t("callbackUrl")}
        </label>
        <input
          id="callback-url"
          type="url"
          value={url ?? ""}
          disabled={url === null}
          placeholder="https://…"
          onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={url === null}>
          {t("save")}
        </button>
      </form>
      {status && <p role="status">{status}</p>}
    </section>
  );
}

function ApiKeys({ api }: { api: Api }) {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState("");
  const [created, setCreated] = useState("");
  const [error, setError] = useState("");
  const load = () => api.apiKeys().then((page) => setKeys(page.items), (e) => setError(message(e)));
  useEffect(() => {
    load();
  }, []);
  const create = async (event: Event) => {
    event.preventDefault();
    setError("");
    try {
      const key = await api.createApiKey(name.trim());
      setCreated(String(key.api_key));
      setName("");
      load();
    } catch (failure) {
      setError(message(failure));
    }
  };
  const revoke = async (keyId: string) => {
    setError("");
    try {
      await api.revokeApiKey(keyId);
      load();
    } catch (failure) {
      setError(message(failure));
    }
  };
  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">{t("apiKeys")}</h2>
      {keys === null ? (
        <p class="muted">{t("loading")}</p>
      ) : (
        <ul class="list">
          {keys.map((key) => (
            <li key={key.key_id} class="row">
              <span>
                <strong>{key.name ?? key.key_id}</strong> <code>{key.prefix}…</code>{" "}
                <span class="muted">
                  {key.last_used_at ? t("lastUsed", { when: formatTime(key.last_used_at) }) : t("neverUsed")}
                </span>
              </span>
              <button type="button" class="secondary" onClick={() => revoke(key.key_id)}>
                {t("revoke")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="row" onSubmit={create}>
        <label class="visually-hidden" for="key-name">
          {t("keyName")}
        </label>
        <input
          id="key-name"
          value={name}
          placeholder={t("keyName")}
          maxLength={100}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={!name.trim()}>
          {t("createKey")}
        </button>
      </form>
      {created && (
        <p class="new-key" role="status">
          {t("newKeyOnce")} <code>{created}</code>
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function FailedDeliveries({ api }: { api: Api }) {
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [status, setStatus] = useState("");
  const load = () => api.failedDeliveries().then((page) => setDeliveries(page.items), (e) => setStatus(message(e)));
  useEffect(() => {
    load();
  }, []);
  const retry = async (deliveryId: string) => {
    try {
      await api.retryDelivery(deliveryId);
      setStatus(t("retried"));
      load();
    } catch (failure) {
      setStatus(message(failure));
    }
  };
  return (
    <section class="card" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">{t("failedDeliveries")}</h2>
      {deliveries === null ? (
        <p class="muted">{t("loading")}</p>
      ) : deliveries.length === 0 ? (
        <p class="muted">{t("noFailedDeliveries")}</p>
      ) : (
        <ul class="list">
          {deliveries.map((delivery) => (
            <li key={delivery.delivery_id} class="row">
              <span>
                <code>{delivery.event_type}</code> {delivery.status} · {delivery.attempts}×{" "}
                <span class="muted">{delivery.last_error}</span>
              </span>
              <button type="button" onClick={() => retry(delivery.delivery_id)}>
                {t("retry")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {status && <p role="status">{status}</p>}
    </section>
  );
}

/** The team: who signs in, with which role; an owner invites by e-mail and removes members (not themselves). */
function Team({ api, memberId }: { api: Api; memberId: string }) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"owner" | "agent">("agent");
  const [status, setStatus] = useState("");
  const load = () => api.members().then((page) => setMembers(page.items), (e) => setStatus(message(e)));
  useEffect(() => {
    load();
  }, []);
  const invite = async (event: Event) => {
    event.preventDefault();
    try {
      const member = await api.inviteMember(email.trim(), role);
      setStatus(t("invited", { email: member.email }));
      setEmail("");
      load();
    } catch (failure) {
      setStatus(message(failure));
    }
  };
  const remove = async (id: string) => {
    try {
      await api.removeMember(id);
      load();
    } catch (failure) {
      setStatus(message(failure));
    }
  };
  return (
    <section class="card" aria-labelledby="team-title">
      <h2 id="team-title">{t("team")}</h2>
      {members === null ? (
        <p class="muted">{t("loading")}</p>
      ) : (
        <ul class="list members">
          {members.map((member) => (
            <li key={member.member_id} class="row" data-member={member.email}>
              <span>
                {member.email} <span class="badge">{t(`role_${member.role}` as Key)}</span>
              </span>
              {member.member_id !== memberId && (
                <button type="button" class="secondary" onClick={() => remove(member.member_id)}>
                  {t("remove")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form class="row" onSubmit={invite}>
        <label class="visually-hidden" for="invite-email">
          {t("email")}
        </label>
        <input
          id="invite-email"
          type="email"
          required
          placeholder={t("email")}
          value={email}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
        />
        <label class="visually-hidden" for="invite-role">
          {t("roleLabel")}
        </label>
        <select id="invite-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as "owner" | "agent")}>
          <option value="agent">{t("role_agent")}</option>
          <option value="owner">{t("role_owner")}</option>
        </select>
        <button type="submit" disabled={!email.trim()}>
          {t("invite")}
        </button>
      </form>
      {status && <p role="status">{status}</p>}
    </section>
  );
}
