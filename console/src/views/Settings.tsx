import { useEffect, useState } from "preact/hooks";
import { ApiError, type Api, type ApiKey, type Delivery } from "../lib/api";
import { formatTime, t } from "../lib/i18n";

function message(failure: unknown): string {
  return failure instanceof ApiError ? failure.message : String(failure);
}

export function Settings({ api }: { api: Api }) {
  return (
    <div class="settings">
      <CallbackUrl api={api} />
      <ApiKeys api={api} />
      <FailedDeliveries api={api} />
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
