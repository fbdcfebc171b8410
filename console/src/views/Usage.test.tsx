import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Api } from "../lib/api";
import { Usage } from "./Usage";

const month = new Date().toISOString().slice(0, 7);
const answers: Record<string, unknown> = {
  [`/v1/usage?month=${month}`]: {
    business_id: "biz_1",
    month,
    tier: "free",
    rate_card: "2026-01",
    totals: { inbound: 2, utility: 2, submitted: 2 },
    days: [{ day: `${month}-07`, counts: { inbound: 2, utility: 2 } }],
    allowances: [],
    caps: {},
  },
  "/v1/invoices": {
    items: [{ month: "2026-11", tier: "free", currency: "EUR", total_cents: 0, closed_at: "2026-12-01T00:10:00Z", lines: [] }],
  },
  "/v1/invoices/2026-11/pdf": {
    url: "https://invoices.s3.example/invoices/biz_1/2026-11.pdf?X-Amz-Signature=abc",
    expires_at: "2026-12-07T10:05:00Z",
    filename: "bizline-invoice-2026-11.pdf",
    content_type: "application/pdf",
  },
};
const api = { request: vi.fn(async (_method: string, path: string) => answers[path]) } as unknown as Api;

afterEach(() => vi.restoreAllMocks());

describe("the usage screen", () => {
  it("charts the month per category per day, names the tier and totals", async () => {
    const { container } = render(<Usage api={api} />);
    await waitFor(() => expect(container.querySelector(`[data-day="${month}-07"] rect[data-meter="utility"]`)).not.toBeNull());
    expect(container.querySelector("[data-tier]")!.textContent).toBe("free (SME)");
    expect(container.querySelector('.totals [data-meter="utility"] td')!.textContent).toBe("2");
  });

  it("downloads an invoice through the presigned link the API hands out, leaving the console open", async () => {
    const followed: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      followed.push({ href: this.href, download: this.download });
    });
    render(<Usage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "PDF" }));
    await waitFor(() => expect(followed).toHaveLength(1));
    expect(followed[0]).toEqual({
      href: "https://invoices.s3.example/invoices/biz_1/2026-11.pdf?X-Amz-Signature=abc",
      download: "bizline-invoice-2026-11.pdf",
    });
  });
});
