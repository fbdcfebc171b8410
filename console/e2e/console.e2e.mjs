// The console as a person uses it, in Debian's chromium (playwright-core, no downloaded browser),
// against a running local platform (BIZLINE_API, e.g. started by tests/console/test_console_in_a_browser.py):
// the owner signs in, a customer's message (`make customer`) appears in the inbox without a reload,
// the owner applies for verification, a reviewer approves in the reviewer view and the badge appears,
// the agent replies and sees it reach read; a CSV import, a newsletter scheduled 10 s ahead shown
// sent with its stats, and the usage chart showing it. Screenshots of each main screen, desktop and phone,
// go to SCREENSHOTS (a git-ignored build folder). Any console error or failed request fails the run.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const API = process.env.BIZLINE_API ?? "http://127.0.0.1:3000";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ROOT = resolve(import.meta.dirname, "..", "..");
const SHOTS = resolve(process.env.SCREENSHOTS ?? join(ROOT, "build", "console-screenshots"));
const PYTHON = process.env.BIZLINE_PYTHON ?? "python3";
const OWNER = { email: "owner@baeckerei-demo.example", password: "Demo-Owner-2026" };
const AGENT = { email: "agent@baeckerei-demo.example", password: "Demo-Agent-2026" };
const REVIEWER = { email: "reviewer@bizline.example", password: "Demo-Reviewer-2026" };
const NEWCOMER = { email: "lehrling@baeckerei-demo.example", password: "Temp-Password-2026", chosen: "Eigenes-Passwort-2026" };
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const problems = [];
const steps = [];
const step = (text) => {
  steps.push(text);
  console.log(`  - ${text}`);
};

function watch(page, label) {
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${label}: console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${label}: page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    // Chromium's own PDF viewer (a built-in extension, with its chrome:// fonts) takes a framed PDF's stream
    // over and aborts the frame's own load, or its own first stream, as it pleases: the browser's doing, not
    // the console's. The reviewer's steps check that the document's preview link answered 200.
    const url = request.url();
    if (url.startsWith("chrome-extension://") || url.startsWith("chrome://")) return;
    if (url.includes("response-content-disposition=inline") && request.failure()?.errorText === "net::ERR_ABORTED") return;
    // Following an invoice's presigned link (an attachment) turns the navigation into a download: Chromium
    // reports the navigation aborted. The invoice step checks the downloaded file itself.
    if (url.includes("response-content-disposition=attachment") && request.failure()?.errorText === "net::ERR_ABORTED") return;
    problems.push(`${label}: request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${label}: ${response.status()} ${response.request().method()} ${response.url()}`);
  });
}

/**
 * bizline's reviewer works the bakery's request in the browser: the console trades the reviewer's ID token
 * for identity pool credentials and signs each /admin call with them (no key, no Python). The queue, the
 * request with its document shown in the page, the claim, the approval with a reason, the audit trail.
 */
async function reviewInTheBrowser(page, requestId) {
  await signIn(page, REVIEWER);
  const item = page.locator(`.review-item[data-request="${requestId}"]`);
  await item.waitFor();
  step("the reviewer signed in and sees the bakery's request in the queue");
  const previewed = page.waitForResponse(
    (response) => response.url().includes("response-content-disposition=inline") && response.status() === 200,
  );
  await item.focus();
  await page.keyboard.press("Enter"); // keyboard: open the request
  const details = page.locator(`.review-request[data-request="${requestId}"]`);
  await details.locator('[data-state="submitted"]').waitFor();
  await details.locator(".document-preview iframe[title='firmenbuchauszug.pdf']").waitFor();
  await previewed;
  step("the request shows its checks and the uploaded document in the page (its short-lived link)");
  await details.locator("#claim").click();
  await details.locator('[data-state="in_review"]').waitFor();
  await details.locator(".audit li[data-to-state='in_review']").waitFor();
  await shot(page, "desktop-review"); // claimed: the PDF viewer has drawn the document meanwhile
  await details.locator("#decision-approved").check();
  await details.locator("#decision-reason").fill("Firmenbuch extract matches");
  await details.getByRole("button", { name: "Decide" }).click();
  await details.locator('[data-state="approved"]').waitFor();
  await details.locator(".audit li[data-to-state='approved']", { hasText: "Firmenbuch extract matches" }).waitFor();
  step("the reviewer claimed the request and approved it with a reason; the audit trail shows both");
  await shot(page, "desktop-review-decided");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.locator("#email").waitFor();
}

/** What Cognito's invitation e-mail carries: a temporary password (set here on the embedded Cognito). */
async function temporaryPassword(email, password) {
  const config = await (await fetch(`${API}/console/config.json`)).json();
  const script = [
    "import boto3, sys",
    "c = boto3.client('cognito-idp', endpoint_url=sys.argv[1], region_name=sys.argv[2],",
    "    aws_access_key_id='local', aws_secret_access_key='local')",
    "c.admin_set_user_password(UserPoolId=sys.argv[3], Username=sys.argv[4], Password=sys.argv[5], Permanent=False)",
  ].join("\n");
  const { endpoint, region, userPoolId } = config.cognito;
  const run = spawnSync(PYTHON, ["-c", script, endpoint, region, userPoolId, email, password], { encoding: "utf-8" });
  if (run.status !== 0) throw new Error(`setting a temporary password failed: ${run.stderr}`);
}

/** `make customer TEXT=...`: the same module, against this platform. */
function customerWrites(text) {
  const port = new URL(API).port;
  const run = spawnSync(PYTHON, ["-m", "local.customer", text], {
    cwd: ROOT,
    env: { ...process.env, PORT: port },
    encoding: "utf-8",
  });
  if (run.status !== 0) throw new Error(`make customer failed: ${run.stderr || run.stdout}`);
  return JSON.parse(run.stdout);
}

/** A one-page PDF a reviewer can read in the page: "Firmenbuchauszug FN 123456a". */
function registerExtract() {
  const text = "BT /F1 28 Tf 72 740 Td (Firmenbuchauszug FN 123456a) Tj 0 -40 Td (Baeckerei Demo GmbH) Tj ET";
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let pdf = "%PDF-1.7\n";
  const offsets = objects.map((body, index) => {
    const offset = pdf.length;
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`).join("");
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1");
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

async function signIn(page, who) {
  if (!(await page.locator("#email").count())) await page.goto(`${API}/console/`);
  await page.locator("#email").fill(who.email);
  await page.locator("#password").fill(who.password);
  await page.locator("#password").press("Enter"); // the keyboard signs in
  await page.locator(".topbar .member .email").filter({ hasText: who.email }).waitFor({ timeout: 10_000 });
}

// -- newsletters and usage ----------------------------------------------------------------------
const DEMO_API_KEY = "bzl_demo_bakery_local_only_do_not_use_in_aws_000000000"; // the banner's demo key
const SUBSCRIBERS_CSV = [
  "wa_id,first_name,tags",
  "+43 660 1234567,Anna,stammkunde", // the demo customer
  "436601234568,Bert,stammkunde",
  "12,Zu kurz,", // row 4: no WhatsApp number
].join("\n");

/** The demo bakery submits a template with its API key; the sandbox approves it about a second later. */
async function approvedDemoTemplate() {
  const headers = { authorization: `Bearer ${DEMO_API_KEY}`, "content-type": "application/json" };
  const body = {
    name: "wochenangebot",
    language: "de",
    category: "marketing",
    components: [
      {
        type: "BODY",
        text: "Hallo {{first_name}}, frische {{offer}} heute!",
        example: { body_text_named_params: [{ param_name: "first_name", example: "Anna" }, { param_name: "offer", example: "Kipferl" }] },
      },
    ],
  };
  const created = await fetch(`${API}/v1/templates`, { method: "POST", headers, body: JSON.stringify(body) });
  if (created.status !== 201) throw new Error(`creating the demo template failed: ${created.status} ${await created.text()}`);
  for (let i = 0; i < 40; i++) {
    const listed = await (await fetch(`${API}/v1/templates`, { headers })).json();
    if (listed.items.some((t) => t.name === body.name && t.status === "APPROVED")) return body.name;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error("the sandbox did not approve the demo template");
}

/** A wall-clock time in an IANA zone, as a datetime-local input takes it (seconds included). */
function wallClockIn(seconds, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(Date.now() + seconds * 1000)).map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

async function textBecomes(locator, wanted, timeout) {
  const until = Date.now() + timeout;
  let seen = "";
  while (Date.now() < until) {
    seen = ((await locator.count()) ? await locator.first().textContent() : "") ?? "";
    if (seen.trim() === wanted) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`expected "${wanted}", saw "${seen}"`);
}

/** The owner imports a CSV of the demo customers: a progress bar, two subscribed, row 4 refused by its row number. */
async function importSubscribers(page) {
  await page.getByRole("link", { name: "Newsletters" }).click();
  await page.locator("#import-title").waitFor();
  await page.locator("#csv-file").setInputFiles({ name: "kundschaft.csv", mimeType: "text/csv", buffer: Buffer.from(SUBSCRIBERS_CSV) });
  await page.locator("#consent-text").fill("Ja, ich möchte den Newsletter der Bäckerei per WhatsApp.");
  await page.getByRole("button", { name: /^Import/ }).click();
  await page.locator("#import-progress").waitFor();
  await page.locator(".import-summary", { hasText: "2 imported, 1 refused" }).waitFor();
  await page.locator('.row-errors [data-row="4"]').waitFor();
  await page.locator('.subscribers [data-subscriber="436601234568"]').waitFor();
  step("the owner imported a CSV: two subscribed, row 4 refused with its row number");
}

/** The owner composes a newsletter from the approved template, previews it for Anna, schedules it 10 s ahead in Vienna. */
async function scheduleNewsletter(page, template) {
  const name = `Wochenangebot ${Date.now()}`;
  await page.locator("#nl-template option", { hasText: template }).waitFor({ state: "attached" });
  await page.locator("#nl-name").fill(name);
  await page.locator("#nl-var-0-fallback").fill("liebe Kundschaft"); // first_name from the attribute of its name
  await page.locator("#nl-var-1-from").selectOption("text");
  await page.locator("#nl-var-1").fill("Kipferl");
  const anna = await page.locator("#nl-preview-subscriber option", { hasText: "436601234567" }).getAttribute("value");
  await page.locator("#nl-preview-subscriber").selectOption(anna);
  await page.locator(".newsletter-preview", { hasText: "Hallo Anna, frische Kipferl heute!" }).waitFor();
  await page.locator("#nl-zone").selectOption("Europe/Vienna");
  await page.locator("#nl-send-at").fill(wallClockIn(10, "Europe/Vienna"));
  await page.getByRole("button", { name: "Schedule" }).click();
  const newsletter = page.locator(`.newsletter[data-newsletter="${name}"]`);
  await newsletter.waitFor();
  step("the owner scheduled a newsletter 10 s ahead, in Vienna's time, with a preview for Anna");
  await page.locator("#newsletters-title").scrollIntoViewIfNeeded();
  await shot(page, "desktop-newsletters");
  await page.locator(`.newsletter[data-newsletter="${name}"][data-state="sent"]`).waitFor({ timeout: 40_000 });
  await textBecomes(newsletter.locator('[data-stat="audience"] dd'), "2", 10_000);
  await textBecomes(newsletter.locator('[data-stat="delivered"] dd'), "2", 20_000);
  step("the newsletter shows as sent, with its stats: audience 2, delivered 2");
  await shot(page, "desktop-newsletters-sent");
}

/** The usage chart shows today's newsletter messages (the sandbox prices a template as utility). */
async function usageShowsNewsletter(page) {
  await page.getByRole("link", { name: "Usage" }).click();
  await page.locator("#usage-title").waitFor();
  const today = new Date().toISOString().slice(0, 10);
  const bar = page.locator(`.usage-chart [data-day="${today}"] rect[data-meter="utility"]`);
  await bar.waitFor({ timeout: 20_000 });
  const until = Date.now() + 20_000;
  while (Number(await bar.getAttribute("data-count")) < 2 && Date.now() < until) await page.waitForTimeout(500);
  if (Number(await bar.getAttribute("data-count")) < 2) throw new Error("the usage chart does not show the newsletter's two messages");
  step("the usage chart shows today's two newsletter messages");
  await shot(page, "desktop-usage");
}

/**
 * An operator closes this month now (the schedule closes the month before on the 1st); the owner finds its
 * invoice under Usage and downloads the CSV through its presigned link, the console staying where it is.
 */
async function downloadInvoice(page) {
  const month = new Date().toISOString().slice(0, 7);
  const close = spawnSync(PYTHON, ["-m", "local.admin", "--api", API, "close", month], { cwd: ROOT, encoding: "utf-8" });
  if (close.status !== 0) throw new Error(`make admin close failed: ${close.stderr || close.stdout}`);
  await page.getByRole("navigation").getByRole("link", { name: "Inbox" }).click();
  await page.getByRole("link", { name: "Usage" }).click();
  const invoice = page.locator(`[data-invoice="${month}"]`);
  await invoice.waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), invoice.getByRole("button", { name: "CSV" }).click()]);
  const csv = readFileSync(await download.path(), "utf-8");
  if (!csv.startsWith("kind,month,") || !/^total,/m.test(csv)) throw new Error(`the downloaded invoice is no invoice CSV: ${csv.slice(0, 200)}`);
  await page.locator("#usage-title").waitFor(); // still on the console
  step(`the owner downloaded this month's invoice as ${download.suggestedFilename()} once it was closed`);
}

/** The owner rotates the callback secret (shown once) and adds the account's second number from Settings. */
async function secretAndNumbers(page) {
  await page.locator("#rotate-secret").click();
  await page.locator("#new-secret", { hasText: "whsec_" }).waitFor();
  const account = page.locator('.accounts [data-waba="200000000000001"]'); // the demo's sandbox account
  await account.getByRole("button", { name: "Numbers of this account" }).click();
  await account.locator('[data-available="100000000000001"] .badge').waitFor(); // the demo's number: added
  await account.locator('[data-available="100000000000003"]').getByRole("button", { name: "Add" }).click();
  await page.locator('.numbers [data-number="100000000000003"]').waitFor();
  step("the owner rotated the callback secret and added the account's second number");
}

/** An agent follows the newsletters read-only: the sent one with its stats, nothing to compose or import. */
async function agentReadsNewsletters(page) {
  await page.getByRole("link", { name: "Newsletters" }).click();
  await page.locator('.newsletter[data-state="sent"] [data-stat="delivered"]').first().waitFor();
  if ((await page.locator("#compose-title, #import-title").count()) !== 0) throw new Error("an agent may compose");
  if ((await page.getByRole("link", { name: "Usage" }).count()) !== 0) throw new Error("an agent sees Usage");
  await page.getByRole("navigation").getByRole("link", { name: "Inbox" }).click();
  step("the agent sees the newsletter and its stats, read-only");
}

async function main() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "bizline-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: DESKTOP,
    locale: "en-GB",
  });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    watch(page, "desktop");

    // The owner signs in.
    await page.goto(`${API}/console/`);
    await page.locator("#email").waitFor();
    await shot(page, "desktop-sign-in");
    await signIn(page, OWNER);
    step("the owner signed in");
    await shot(page, "desktop-inbox-empty");

    // A customer writes (as `make customer` sends it); the inbox shows it without a reload. The inbox
    // polls every second (its component test holds it to that); how long it took here is reported, not
    // asserted: on a loaded machine it measures the machine.
    const text = `Habt ihr heute Kipferl? ${Date.now()}`;
    const stored = customerWrites(text);
    const written = Date.now();
    const conversation = page.locator(".conversation", { hasText: text.slice(0, 40) });
    await conversation.waitFor({ timeout: 15000 });
    await conversation.locator(".unread-in").waitFor(); // counted unread by the server
    step(`the customer's message appeared in the inbox after ${Date.now() - written} ms (${JSON.stringify(stored)})`);
    await shot(page, "desktop-inbox");
    await conversation.focus();
    await page.keyboard.press("Enter"); // keyboard: open the conversation
    await page.locator(".message.inbound", { hasText: text }).waitFor();
    await page.locator(".window-open").waitFor();
    step("the thread shows the message and the open window with its time left");
    // Opened, it is read for the whole team; the owner assigns it to the agent.
    await conversation.locator(".unread-in").waitFor({ state: "detached" });
    await page.locator("#assignee").selectOption({ label: AGENT.email });
    await conversation.locator(".assigned", { hasText: AGENT.email }).waitFor();
    step("opened, the conversation counts as read; the owner assigned it to the agent");
    await shot(page, "desktop-thread");

    await page.getByRole("link", { name: "Settings" }).click();
    await page.locator("#keys-title").waitFor();
    await page.locator(".list li").first().waitFor();
    await page.locator(`[data-member="${AGENT.email}"]`).waitFor();
    // The owner invites a new agent by e-mail.
    await page.locator("#invite-email").fill(NEWCOMER.email);
    await page.locator("#invite-role").selectOption("agent");
    await page.getByRole("button", { name: "Invite" }).click();
    await page.locator(`[data-member="${NEWCOMER.email}"]`).waitFor();
    step("the owner invited a new agent");
    await secretAndNumbers(page);
    await shot(page, "desktop-settings");
    const template = await approvedDemoTemplate(); // approved before the screen reads the templates
    await importSubscribers(page);
    await scheduleNewsletter(page, template);
    await usageShowsNewsletter(page);
    await downloadInvoice(page);
    step("the owner saw settings and newsletters");

    // The owner applies for verification, uploads the register extract; a reviewer approves; the badge shows.
    await page.getByRole("link", { name: "Verification" }).click();
    await page.locator('[data-verified="false"]').waitFor();
    await page.locator("#v-registration_number").fill("FN 123456a");
    await page.locator("#v-register_name").fill("Firmenbuch, Handelsgericht Wien");
    await page.locator("#v-registered_address").fill("Hauptstraße 1, 1010 Wien");
    await page.getByRole("button", { name: "Submit" }).click();
    const request = page.locator(".request");
    await request.locator('[data-state="submitted"]').waitFor();
    await page.locator("#document").setInputFiles({
      name: "firmenbuchauszug.pdf",
      mimeType: "application/pdf",
      buffer: registerExtract(),
    });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await request.locator('[data-document-state="attached"]', { hasText: "firmenbuchauszug.pdf" }).waitFor();
    step("the owner applied for verification and uploaded a document straight to S3");
    await shot(page, "desktop-verification");
    const requestId = await request.getAttribute("data-request");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("#email").waitFor();
    await reviewInTheBrowser(page, requestId);
    await signIn(page, OWNER);
    await page.getByRole("link", { name: "Verification" }).click();
    await page.locator('[data-verified="true"]').waitFor({ timeout: 10_000 });
    step("the owner signed in again and the badge appeared");
    await shot(page, "desktop-verification-approved");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("#email").waitFor();

    // The invited agent signs in for the first time with the e-mailed password and chooses their own.
    await temporaryPassword(NEWCOMER.email, NEWCOMER.password);
    await page.locator("#email").fill(NEWCOMER.email);
    await page.locator("#password").fill(NEWCOMER.password);
    await page.locator("#password").press("Enter");
    await page.locator("#password[autocomplete='new-password']").waitFor();
    await shot(page, "desktop-new-password");
    await page.locator("#password").fill(NEWCOMER.chosen);
    await page.locator("#password").press("Enter");
    await page.locator(".topbar .member .email").filter({ hasText: NEWCOMER.email }).waitFor();
    step("the invited agent signed in and chose their own password");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("#email").waitFor();

    // The agent signs in, replies, and sees the reply reach read.
    await signIn(page, AGENT);
    if ((await page.getByRole("link", { name: "Settings" }).count()) !== 0) throw new Error("an agent sees Settings");
    await agentReadsNewsletters(page);
    await page.locator("#assignee-filter").selectOption("mine"); // the conversations assigned to them
    await page.locator(".conversation", { hasText: text.slice(0, 40) }).click();
    await page.locator(".message.inbound", { hasText: text }).waitFor();
    await page.locator("#reply:not([disabled])").waitFor();
    const reply = `Ja, frisch aus dem Ofen! ${Date.now()}`;
    await page.locator("#reply").fill(reply);
    await page.locator("#reply").press("Enter");
    const sent = page.locator(".message.outbound", { hasText: reply });
    await sent.waitFor();
    await sent.locator(".sender", { hasText: AGENT.email }).waitFor();
    step("the agent's reply shows in the thread, sent by the agent");
    await sent.locator('.ticks[data-status="read"]').waitFor({ timeout: 20_000 });
    step("the reply reached read (two blue ticks)");
    await shot(page, "desktop-thread-read");

    // Phone width, German: the same screens.
    const phone = await browser.newPage();
    watch(phone, "phone");
    await phone.setViewportSize(PHONE);
    await phone.context().setExtraHTTPHeaders({ "accept-language": "de-AT,de" });
    await phone.addInitScript(() => {
      Object.defineProperty(navigator, "languages", { get: () => ["de-AT", "de"] });
    });
    await phone.goto(`${API}/console/`);
    await phone.locator("#email").waitFor();
    await phone.getByRole("button", { name: "Anmelden" }).waitFor(); // German by the browser's language
    // (the session lives per tab: this tab signs in on its own)
    await shot(phone, "phone-sign-in");
    await phone.locator("#email").fill(OWNER.email);
    await phone.locator("#password").fill(OWNER.password);
    await phone.getByRole("button", { name: "Anmelden" }).click();
    await phone.locator(".conversation", { hasText: "Ja, frisch" }).waitFor();
    await shot(phone, "phone-inbox");
    await phone.locator(".conversation", { hasText: "Ja, frisch" }).click();
    await phone.locator(".message.outbound .ticks-read").first().waitFor();
    await shot(phone, "phone-thread");
    await phone.getByRole("link", { name: "Einstellungen" }).click();
    await phone.locator("#keys-title").waitFor();
    await phone.locator(".list li").first().waitFor();
    await shot(phone, "phone-settings");
    await phone.getByRole("link", { name: "Newsletter" }).click();
    await phone.locator("#templates-title").waitFor();
    await phone.locator('.newsletter[data-state="sent"] [data-stat="delivered"]').first().waitFor();
    await shot(phone, "phone-newsletters");
    await phone.locator("#nl-zone").scrollIntoViewIfNeeded();
    await shot(phone, "phone-newsletters-compose");
    await phone.getByRole("link", { name: "Nutzung" }).click();
    await phone.locator(".usage-chart rect.bar").first().waitFor();
    await shot(phone, "phone-usage");
    await phone.getByRole("link", { name: "Verifizierung" }).click();
    await phone.locator('[data-verified="true"]').waitFor();
    await shot(phone, "phone-verification");
    // The reviewer on a phone, in German: the decided request and its audit trail.
    await phone.getByRole("button", { name: "Abmelden" }).click();
    await phone.evaluate(() => window.scrollTo(0, 0)); // the owner's wide menu left the page scrolled sideways
    await phone.locator("#email").fill(REVIEWER.email);
    await phone.locator("#password").fill(REVIEWER.password);
    await phone.getByRole("button", { name: "Anmelden" }).click();
    await phone.locator("#queue-state").selectOption("approved");
    await phone.locator(".review-item", { hasText: "Bäckerei Demo" }).click();
    await phone.locator(".review-request .audit li[data-to-state='approved']").waitFor();
    await phone.getByRole("heading", { name: "Prüfprotokoll" }).scrollIntoViewIfNeeded();
    await shot(phone, "phone-review");
    step("phone width, in German: sign-in, inbox, thread, settings, newsletters, usage, verification, review");
  } catch (error) {
    // What each tab showed when a step failed, beside the screenshots.
    for (const [index, open] of browser.pages().entries()) await shot(open, `failed-${index}`).catch(() => {});
    throw error;
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  if (problems.length) {
    throw new Error(`the browser saw problems:\n${problems.join("\n")}`);
  }
  console.log(`console e2e passed; screenshots in ${SHOTS}`);
}

main().catch((error) => {
  console.error(`console e2e FAILED after: ${steps.join("; ") || "nothing"}\n${error.stack ?? error}`);
  if (problems.length) console.error(problems.join("\n"));
  process.exit(1);
});
