import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, type Api } from "../../lib/api";
import { businessApi, type PhoneNumber, type WhatsAppAccount } from "../../lib/businessApi";
import { formatTime, t } from "../../lib/i18n";
import { st } from "../../lib/screenTexts";
import "../../screens.css";

/** The WhatsApp Business Account connection and the numbers: connect with Embedded Signup's token, add its numbers. */
export function WhatsAppNumbers({ api }: { api: Api }) {
  const calls = useMemo(() => businessApi(api), [api]);
  const [accounts, setAccounts] = useState<WhatsAppAccount[] | null>(null);
  const [numbers, setNumbers] = useState<PhoneNumber[] | null>(null);
  const [available, setAvailable] = useState<Record<string, WhatsAppAccount["phone_numbers"]>>({});
  const [wabaId, setWabaId] = useState("");
  const [token, setToken] = useState("");
  const [status, setStatus] = useState("");
  const fail = (failure: unknown) => setStatus(failure instanceof ApiError ? failure.message : String(failure));
  const load = () => {
    calls.whatsAppAccounts().then((page) => setAccounts(page.items), fail);
    calls.phoneNumbers().then((page) => setNumbers(page.items), fail);
  };
  useEffect(load, []);

  const connect = async (event: Event) => {
    event.preventDefault();
    setStatus("");
    try {
      const account = await calls.connectWhatsAppAccount(wabaId.trim(), token.trim());
      setToken(""); // the token is the business's secret: it does not stay in the form
      setAvailable((current) => ({ ...current, [account.waba_id]: account.phone_numbers }));
      load();
    } catch (failure) {
      fail(failure);
    }
  };
  const show = async (waba: string) => {
    try {
      const account = await calls.availableNumbers(waba);
      setAvailable((current) => ({ ...current, [waba]: account.phone_numbers ?? [] }));
    } catch (failure) {
      fail(failure);
    }
  };
  const add = async (phoneNumberId: string) => {
    setStatus("");
    try {
      await calls.addPhoneNumber(phoneNumberId);
      load();
    } catch (failure) {
      fail(failure);
    }
  };
  const owned = new Set((numbers ?? []).map((number) => number.phone_number_id));

  return (
    <section class="card" aria-labelledby="whatsapp-title">
      <h2 id="whatsapp-title">{st("whatsApp")}</h2>
      <p class="muted">{st("whatsAppHint")}</p>
      <ul class="list accounts">
        {(accounts ?? []).map((account) => (
          <li key={account.waba_id} data-waba={account.waba_id}>
            <div class="row">
              <span>
                <code>{account.waba_id}</code> <span class="muted">{st("connectedSince", { when: formatTime(account.connected_at) })}</span>
              </span>
              <button type="button" class="secondary" onClick={() => show(account.waba_id)}>
                {st("showNumbers")}
              </button>
            </div>
            {available[account.waba_id] && (
              <ul class="list">
                {(available[account.waba_id] ?? []).map((number) => (
                  <li key={number.phone_number_id} class="row" data-available={number.phone_number_id}>
                    <span>
                      {number.display_phone_number} <span class="muted">{number.verified_name}</span>
                    </span>
                    {owned.has(number.phone_number_id) ? (
                      <span class="badge">{st("added")}</span>
                    ) : (
                      <button type="button" onClick={() => add(number.phone_number_id)}>
                        {st("addNumber")}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <form class="row" onSubmit={connect}>
        <label class="visually-hidden" for="waba-id">
          {st("wabaId")}
        </label>
        <input id="waba-id" inputMode="numeric" pattern="[0-9]{1,32}" required placeholder={st("wabaId")} value={wabaId} onInput={(e) => setWabaId((e.target as HTMLInputElement).value)} />
        <label class="visually-hidden" for="waba-token">
          {st("accessToken")}
        </label>
        <input id="waba-token" type="password" autocomplete="off" required placeholder={st("accessToken")} value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        <button type="submit">{st("connect")}</button>
      </form>
      <h3>{st("yourNumbers")}</h3>
      {numbers === null ? (
        <p class="muted">{t("loading")}</p>
      ) : numbers.length === 0 ? (
        <p class="muted">{st("noNumbers")}</p>
      ) : (
        <ul class="list numbers">
          {numbers.map((number) => (
            <li key={number.phone_number_id} class="row" data-number={number.phone_number_id}>
              <span>
                {number.display_phone_number} <span class="muted">{number.verified_name}</span>
              </span>
              <code class="muted">{number.phone_number_id}</code>
            </li>
          ))}
        </ul>
      )}
      {status && <p role="status">{status}</p>}
    </section>
  );
}
