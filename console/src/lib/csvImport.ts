// Importing subscribers from a spreadsheet: parsed here in the browser, sent in chunks to
// POST /team/v1/subscribers/batch. Each row keeps its CSV row number (the header is row 1), so the
// API's per-item results and the checks made here point at the line a person sees in their sheet.

export interface CsvRow {
  row: number;
  cells: Record<string, string>;
}

export interface SubscriberItem {
  wa_id?: string;
  user_id?: string;
  tags: string[];
  attributes: Record<string, string>;
}

export interface RowError {
  row: number;
  message: string;
}

export interface ParsedImport {
  items: { row: number; item: SubscriberItem }[];
  errors: RowError[];
  /** A header that cannot be a column bizline knows (empty when the header is fine). */
  headerError: string;
}

// Excel in German-speaking countries writes `;`: whichever of the two the header uses more wins.
function delimiterOf(firstLine: string): string {
  const count = (character: string) => firstLine.split(character).length;
  return count(";") > count(",") ? ";" : ",";
}

/** RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const source = text.replace(/^\uFEFF/, ""); // Excel's byte order mark
  const delimiter = delimiterOf(source.split(/\r?\n/, 1)[0] ?? "");
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && source[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || record.length) {
    record.push(field);
    records.push(record);
  }
  return records;
}

const ATTRIBUTE = /^[a-z][a-z0-9_]{0,39}$/;
const TAG = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const WA_ID = /^[1-9][0-9]{6,15}$/;

/** A header cell as a column name: `First Name` is the attribute `first_name`. */
export function columnName(header: string): string {
  return header.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

/** A phone number as people write it (`+43 660 123-4567`) as the wa_id WhatsApp uses (`436601234567`). */
export function waIdOf(written: string): string {
  const trimmed = written.trim();
  return /^[+0-9\s().\/-]+$/.test(trimmed) ? trimmed.replace(/[^0-9]/g, "").replace(/^00/, "") : trimmed;
}

export function rowsOf(records: string[][]): { header: string[]; rows: CsvRow[] } {
  const [head = [], ...body] = records;
  const header = head.map(columnName);
  const rows = body
    .map((cells, index) => ({
      row: index + 2,
      cells: Object.fromEntries(header.map((name, column) => [name, (cells[column] ?? "").trim()])),
    }))
    .filter((row) => Object.values(row.cells).some(Boolean)); // blank lines are no one
  return { header, rows };
}

/**
 * The subscribers a sheet names: `wa_id` and/or `user_id`, `tags` (separated by spaces, `|` or `,`),
 * every other column an attribute. Rows the API would refuse anyway are reported here, by row.
 */
export function subscribersFromCsv(text: string): ParsedImport {
  const { header, rows } = rowsOf(parseCsv(text));
  if (!header.includes("wa_id") && !header.includes("user_id")) {
    return { items: [], errors: [], headerError: "wa_id / user_id" };
  }
  const badColumns = header.filter((name) => !["wa_id", "user_id", "tags"].includes(name) && !ATTRIBUTE.test(name));
  if (badColumns.length) return { items: [], errors: [], headerError: badColumns.join(", ") };
  const items: ParsedImport["items"] = [];
  const errors: RowError[] = [];
  for (const { row, cells } of rows) {
    const waId = cells.wa_id ? waIdOf(cells.wa_id) : "";
    const userId = cells.user_id ?? "";
    const tags = (cells.tags ?? "")
      .toLowerCase()
      .split(/[\s|,]+/)
      .filter(Boolean);
    const problems = [
      !waId && !userId ? "wa_id / user_id" : "",
      waId && !WA_ID.test(waId) ? `wa_id ${cells.wa_id}` : "",
      ...tags.filter((tag) => !TAG.test(tag)).map((tag) => `tag ${tag}`),
    ].filter(Boolean);
    if (problems.length) {
      errors.push({ row, message: problems.join("; ") });
      continue;
    }
    const attributes = Object.fromEntries(
      Object.entries(cells).filter(([name, value]) => value && !["wa_id", "user_id", "tags"].includes(name)),
    );
    items.push({ row, item: { ...(waId ? { wa_id: waId } : {}), ...(userId ? { user_id: userId } : {}), tags, attributes } });
  }
  return { items, errors, headerError: "" };
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface BatchResult {
  index: number;
  status: number;
  error?: { code?: string; message?: string; details?: { field?: string; message?: string }[] } | null;
}

/** The API's refusals of one chunk, each at the CSV row its item came from. */
export function rowErrorsOf(chunk: { row: number }[], results: BatchResult[]): RowError[] {
  return results
    .filter((result) => result.status >= 400)
    .map((result) => {
      const details = result.error?.details?.map((d) => [d.field, d.message].filter(Boolean).join(": ")) ?? [];
      return {
        row: chunk[result.index]?.row ?? 0,
        message: [result.error?.message ?? String(result.status), ...details].join(" "),
      };
    });
}
