import { useEffect, useMemo, useState } from "preact/hooks";
import { CHART_METERS, UsageChart } from "../components/UsageChart";
import { ApiError, type Api } from "../lib/api";
import { businessApi, type Invoice, type UsageReport } from "../lib/businessApi";
import { formatTime, lang, t } from "../lib/i18n";
import { st, type ScreenKey } from "../lib/screenTexts";
import { usePolling } from "../lib/usePolling";
import "../screens.css";

// Metering counts within seconds of a message; reading the month again now and then keeps the chart current.
const REFRESH_MS = 5000;

const thisMonth = () => new Date().toISOString().slice(0, 7); // usage months are UTC

function money(cents: number, currency: string): string {
  return new Intl.NumberFormat(lang === "de" ? "de-AT" : "en-GB", { style: "currency", currency }).format(cents / 100);
}

/** Usage per category per day for a month, the tier and allowances; the invoices of closed months to download. */
export function Usage({ api }: { api: Api }) {
  const calls = useMemo(() => businessApi(api), [api]);
  const [month, setMonth] = useState(thisMonth());
  const { data: usage, error } = usePolling<UsageReport>(() => calls.usage(month), REFRESH_MS, [month]);
  const meters = [...CHART_METERS, ...Object.keys(usage?.totals ?? {}), ...(usage?.allowances ?? []).map((a) => a.meter)];
  const names = Object.fromEntries(meters.map((meter) => [meter, st(`meter_${meter}` as ScreenKey).replace(/^meter_/, "")]));
  const shown = usage ? Object.entries(usage.totals).filter(([, n]) => n > 0) : [];
  return (
    <div class="settings usage">
      <section class="card" aria-labelledby="usage-title">
        <div class="row">
          <h2 id="usage-title">{st("usageTitle")}</h2>
          <label>
            {st("month")}{" "}
            <input id="usage-month" type="month" value={month} max={thisMonth()} onChange={(e) => setMonth((e.target as HTMLInputElement).value || thisMonth())} />
          </label>
        </div>
        {error && <p class="error">{error.message}</p>}
        {usage === null ? (
          <p class="muted">{t("loading")}</p>
        ) : (
          <>
            <p>
              {st("tier")}: <span class="badge" data-tier={usage.tier}>{st(`tier_${usage.tier}` as ScreenKey)}</span>
            </p>
            <UsageChart month={usage.month} days={usage.days} names={names} label={st("chartLabel", { month: usage.month })} />
            <h3>{st("totals")}</h3>
            {shown.length === 0 ? (
              <p class="muted">{st("noUsage")}</p>
            ) : (
              <table class="totals">
                <tbody>
                  {shown.map(([meter, n]) => (
                    <tr key={meter} data-meter={meter}>
                      <th scope="row">{names[meter] ?? meter}</th>
                      <td>{n}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {usage.allowances.length > 0 && (
              <>
                <h3>{st("allowances")}</h3>
                <ul class="list">
                  {usage.allowances.map((allowance) => (
                    <li key={allowance.meter} class="row">
                      <span>{names[allowance.meter] ?? allowance.meter}</span>
                      <span>{st("allowanceUse", { used: String(allowance.used), included: String(allowance.included) })}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </section>
      <Invoices calls={calls} />
    </div>
  );
}

function Invoices({ calls }: { calls: ReturnType<typeof businessApi> }) {
  const [invoices, setInvoices] = useState<Invoice[] | null>(null);
  const [status, setStatus] = useState("");
  useEffect(() => {
    calls.invoices().then((page) => setInvoices(page.items), (e) => setStatus(e instanceof ApiError ? e.message : String(e)));
  }, []);
  // The API hands out a 5-minute presigned S3 link that answers as an attachment: following it
  // downloads the file and leaves the console where it is.
  const download = async (month: string, kind: "csv" | "pdf") => {
    setStatus("");
    try {
      const link = await calls.invoiceFile(month, kind);
      const anchor = document.createElement("a");
      anchor.href = link.url;
      anchor.download = link.filename;
      anchor.rel = "noopener";
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
    } catch (failure) {
      setStatus(failure instanceof ApiError ? failure.message : String(failure));
    }
  };
  return (
    <section class="card" aria-labelledby="invoices-title">
      <h2 id="invoices-title">{st("invoices")}</h2>
      {invoices === null ? (
        <p class="muted">{t("loading")}</p>
      ) : invoices.length === 0 ? (
        <p class="muted">{st("noInvoices")}</p>
      ) : (
        <ul class="list">
          {invoices.map((invoice) => (
            <li key={invoice.month} class="row" data-invoice={invoice.month}>
              <span>
                <strong>{invoice.month}</strong> <span class="muted">{formatTime(invoice.closed_at)}</span>
              </span>
              <span>
                {st("total")}: {money(invoice.total_cents, invoice.currency)}
              </span>
              <span class="row">
                <button type="button" class="secondary" onClick={() => download(invoice.month, "csv")}>
                  {st("downloadCsv")}
                </button>
                <button type="button" class="secondary" onClick={() => download(invoice.month, "pdf")}>
                  {st("downloadPdf")}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {status && <p role="status">{status}</p>}
    </section>
  );
}
