// The console as a person uses it, in Debian's chromium (playwright-core, no downloaded browser),
// against a running local platform (BIZLINE_API, e.g. started by tests/console/test_console_in_a_browser.py):
// the owner signs in, a customer's message (`make customer`) appears in the inbox without a reload,
// the owner applies for verification, a reviewer approves in the reviewer view and the badge appears,
// the agent replies and sees it reach read. Screenshots of each main screen, desktop and phone,
// go to SCREENSHOTS (a git-ignored build folder). Any console error or failed request fails the run.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
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

    // A customer writes (as `make customer` sends it); the inbox shows it within 3 s, without a reload.
    const text = `Habt ihr heute Kipferl? ${Date.now()}`;
    const stored = customerWrites(text);
    const written = Date.now();
    const conversation = page.locator(".conversation", { hasText: text.slice(0, 40) });
    await conversation.waitFor({ timeout: 3000 });
    step(`the customer's message appeared in the inbox after ${Date.now() - written} ms (${JSON.stringify(stored)})`);
    await shot(page, "desktop-inbox");
    await conversation.focus();
    await page.keyboard.press("Enter"); // keyboard: open the conversation
    await page.locator(".message.inbound", { hasText: text }).waitFor();
    await page.locator(".window-open").waitFor();
    step("the thread shows the message and the open window with its time left");
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
    await shot(page, "desktop-settings");
    await page.getByRole("link", { name: "Newsletters" }).click();
    await page.locator("#templates-title").waitFor();
    await shot(page, "desktop-newsletters");
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
    await page.locator(".conversation", { hasText: text.slice(0, 40) }).click();
    await page.locator(".message.inbound", { hasText: text }).waitFor();
    await page.locator("#reply:not([disabled])").waitFor();
    const reply = `Ja, frisch aus dem Ofen! ${Date.now()}`;
    await page.locator("#reply").fill(reply);
    await page.locator("#reply").press("Enter");
    const sent = page.locator(".message.outbound", { hasText: reply });
    await sent.waitFor({ timeout: 5000 });
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
    await shot(phone, "phone-newsletters");
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
    step("phone width, in German: sign-in, inbox, thread, settings, newsletters, verification, review");
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
