import { useMemo, useState } from "preact/hooks";
import { ApiError, type Api } from "../../lib/api";
import { businessApi } from "../../lib/businessApi";
import { formatTime } from "../../lib/i18n";
import { st } from "../../lib/screenTexts";
import "../../screens.css";

/** Rotating the callback signing secret: the new one is shown once, with a copy button. */
export function WebhookSecret({ api }: { api: Api }) {
  const calls = useMemo(() => businessApi(api), [api]);
  const [secret, setSecret] = useState<{ webhook_secret: string; previous_secret_valid_until?: string | null } | null>(null);
  const [status, setStatus] = useState("");
  const rotate = async () => {
    setStatus("");
    try {
      setSecret(await calls.rotateWebhookSecret());
    } catch (failure) {
      setStatus(failure instanceof ApiError ? failure.message : String(failure));
    }
  };
  const copy = async () => {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret.webhook_secret);
      setStatus(st("copied"));
    } catch {
      // No clipboard (an insecure origin, a refused permission): the secret stays selectable on screen.
      setStatus("");
    }
  };
  return (
    <section class="card" aria-labelledby="secret-title">
      <h2 id="secret-title">{st("webhookSecret")}</h2>
      <p class="muted">{st("webhookSecretHint")}</p>
      <button id="rotate-secret" type="button" onClick={rotate}>
        {st("rotate")}
      </button>
      {secret && (
        <div class="new-secret">
          <p>{st("newSecretOnce")}</p>
          <p class="row">
            <code id="new-secret">{secret.webhook_secret}</code>
            <button type="button" class="secondary" onClick={copy}>
              {st("copy")}
            </button>
          </p>
          {secret.previous_secret_valid_until && (
            <p class="muted">{st("oldSecretUntil", { when: formatTime(secret.previous_secret_valid_until) })}</p>
          )}
        </div>
      )}
      {status && <p role="status">{status}</p>}
    </section>
  );
}
