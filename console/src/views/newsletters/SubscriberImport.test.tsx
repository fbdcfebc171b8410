import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { BusinessApi, Newsletter } from "../../lib/businessApi";
import { isLive } from "./NewsletterList";
import { SubscriberImport } from "./SubscriberImport";

function pickFile(input: HTMLElement, text: string) {
  const file = new File([text], "kundschaft.csv", { type: "text/csv" });
  Object.defineProperty(input, "files", { value: [file], configurable: true });
  fireEvent.change(input);
}

describe("importing subscribers in the console", () => {
  it("sends the rows with the owner's consent and lists every refusal by its CSV row", async () => {
    // Given a sheet whose row 3 the API refuses and whose row 4 is no number at all
    const subscribeBatch = vi.fn(async (_consent: unknown, items: unknown[]) => ({
      items: items.map((_, index) =>
        index === 1 ? { index, status: 422, error: { message: "Invalid fields" } } : { index, status: 201 },
      ),
    }));
    const imported = vi.fn();
    const calls = { subscribeBatch } as unknown as BusinessApi;
    const { container } = render(<SubscriberImport calls={calls} imported={imported} />);
    pickFile(container.querySelector("#csv-file")!, "wa_id,first_name\n436601234567,Anna\n436602222222,Bert\nabc123,Carla\n");
    // When the owner states the consent and imports
    fireEvent.input(container.querySelector("#consent-text")!, { target: { value: "Ja, Newsletter bitte." } });
    await waitFor(() => expect((screen.getByRole("button") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.submit(container.querySelector("form")!);
    // Then one batch carried both good rows and the stated consent
    await waitFor(() => expect(imported).toHaveBeenCalled());
    const [consent, items] = subscribeBatch.mock.calls[0];
    expect(consent).toMatchObject({ source: "console:csv_import", text: "Ja, Newsletter bitte." });
    expect(items).toEqual([
      { wa_id: "436601234567", tags: [], attributes: { first_name: "Anna" } },
      { wa_id: "436602222222", tags: [], attributes: { first_name: "Bert" } },
    ]);
    // And the progress bar is full, the summary counts, and each refusal names its row
    const progress = container.querySelector("progress")!;
    expect([progress.getAttribute("value"), progress.getAttribute("max")]).toEqual(["2", "2"]);
    expect(container.querySelector(".import-summary")!.textContent).toBe("1 imported, 2 refused.");
    const rows = [...container.querySelectorAll(".row-errors li")].map((li) => li.textContent);
    expect(rows).toEqual(["Row 3: Invalid fields", "Row 4: wa_id abc123"]);
  });
});

describe("following a newsletter", () => {
  const base = { updated_at: "2026-12-07T10:00:00Z" } as Newsletter;
  it("is followed while scheduled or sending, and a while after it was sent", () => {
    const now = Date.parse("2026-12-07T10:05:00Z");
    expect(isLive({ ...base, state: "scheduled" }, now)).toBe(true);
    expect(isLive({ ...base, state: "sending" }, now)).toBe(true);
    expect(isLive({ ...base, state: "sent" }, now)).toBe(true);
    expect(isLive({ ...base, state: "sent" }, now + 60 * 60_000)).toBe(false);
    expect(isLive({ ...base, state: "cancelled" }, now)).toBe(false);
  });
});
