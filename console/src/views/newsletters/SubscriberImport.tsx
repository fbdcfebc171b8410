import { useState } from "preact/hooks";
import { ApiError } from "../../lib/api";
import type { BusinessApi } from "../../lib/businessApi";
import { chunks, rowErrorsOf, subscribersFromCsv, type ParsedImport, type RowError } from "../../lib/csvImport";
import { st } from "../../lib/screenTexts";

// A batch takes up to 1,000 items, but a request body at most 64 KiB: 200 rows with attributes fit.
const CHUNK = 200;

/** An owner imports a CSV: parsed here, sent in chunks with one consent proof, a progress bar, errors by row. */
export function SubscriberImport({ calls, imported }: { calls: BusinessApi; imported: () => void }) {
  const [parsed, setParsed] = useState<ParsedImport | null>(null);
  const [source, setSource] = useState(st("consentSourceDefault"));
  const [text, setText] = useState("");
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [errors, setErrors] = useState<RowError[]>([]);
  const [summary, setSummary] = useState("");

  const pick = async (event: Event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    setSummary("");
    setProgress(null);
    if (!file) return setParsed(null);
    const result = subscribersFromCsv(await file.text());
    setParsed(result);
    setErrors(result.errors);
  };

  const run = async (event: Event) => {
    event.preventDefault();
    if (!parsed || !parsed.items.length) return;
    const consent = { source: source.trim(), text: text.trim(), at: new Date().toISOString() };
    const found: RowError[] = [...parsed.errors];
    let failed = parsed.errors.length;
    setProgress({ done: 0, total: parsed.items.length });
    let done = 0;
    for (const chunk of chunks(parsed.items, CHUNK)) {
      try {
        const answer = await calls.subscribeBatch(
          consent,
          chunk.map((entry) => entry.item),
        );
        const refused = rowErrorsOf(chunk, answer.items);
        found.push(...refused);
        failed += refused.length;
      } catch (failure) {
        // The whole chunk was refused (its consent, its size): every row of it says why.
        const reason = failure instanceof ApiError ? failure.message : String(failure);
        found.push(...chunk.map((entry) => ({ row: entry.row, message: reason })));
        failed += chunk.length;
      }
      done += chunk.length;
      setProgress({ done, total: parsed.items.length });
    }
    found.sort((a, b) => a.row - b.row);
    setErrors(found);
    const ok = parsed.items.length + parsed.errors.length - failed;
    setSummary(st("imported", { ok: String(ok), failed: String(failed) }));
    imported();
  };

  return (
    <section class="card" aria-labelledby="import-title">
      <h2 id="import-title">{st("importTitle")}</h2>
      <p class="muted">{st("importHint")}</p>
      <form class="stack" onSubmit={run}>
        <label for="csv-file">{st("csvFile")}</label>
        <input id="csv-file" type="file" accept=".csv,text/csv" onChange={pick} />
        {parsed?.headerError && (
          <p class="error" role="alert">
            {st("badHeader", { columns: parsed.headerError })}
          </p>
        )}
        <label for="consent-source">{st("consentSource")}</label>
        <input id="consent-source" required maxLength={200} value={source} onInput={(e) => setSource((e.target as HTMLInputElement).value)} />
        <label for="consent-text">{st("consentText")}</label>
        <textarea id="consent-text" required maxLength={2000} rows={2} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        <button type="submit" disabled={!parsed?.items.length || !source.trim() || !text.trim() || (progress !== null && progress.done < progress.total)}>
          {st("importButton")}
          {parsed?.items.length ? ` (${parsed.items.length})` : ""}
        </button>
      </form>
      {progress && (
        <div class="import-progress">
          <label for="import-progress">{st("importing", { done: String(progress.done), total: String(progress.total) })}</label>
          <progress id="import-progress" max={progress.total} value={progress.done} />
        </div>
      )}
      {summary && (
        <p role="status" class="import-summary">
          {summary}
        </p>
      )}
      {errors.length > 0 && (
        <ul class="list row-errors" aria-label="errors">
          {errors.map((error) => (
            <li key={`${error.row}-${error.message}`} class="error" data-row={error.row}>
              {st("rowError", { row: String(error.row), message: error.message })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
