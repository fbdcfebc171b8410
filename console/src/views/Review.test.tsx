import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { AdminApi, ReviewedRequest } from "../lib/reviewer";
import { Review } from "./Review";

function request(id: string, submittedAt: string, overrides: Partial<ReviewedRequest> = {}): ReviewedRequest {
  return {
    request_id: id,
    business_id: `biz_${id}`,
    state: "submitted",
    legal_name: `${id} GmbH`,
    display_name: `Business ${id}`,
    registration_number: "FN 123456a",
    register_name: "Firmenbuch",
    country: "AT",
    registered_address: "Hauptstraße 1, 1010 Wien",
    website: "https://example.at",
    contact_email: "office@example.at",
    size: { employees: 4, annual_turnover_eur: 350000, balance_sheet_total_eur: 120000 },
    checks: [{ name: "document_attached", passed: true, detail: "1 document(s) attached" }],
    flagged: false,
    documents: [],
    submitted_at: submittedAt,
    updated_at: submittedAt,
    document_links: [
      {
        document_id: "doc_pdf",
        filename: "extract.pdf",
        content_type: "application/pdf",
        url: "https://s3.example/extract?attachment",
        preview_url: "https://s3.example/extract?inline",
        expires_at: submittedAt,
      },
      {
        document_id: "doc_png",
        filename: "id.png",
        content_type: "image/png",
        url: "https://s3.example/id?attachment",
        preview_url: "https://s3.example/id?inline",
        expires_at: submittedAt,
      },
    ],
    ...overrides,
  };
}

function fakeAdmin(items: ReviewedRequest[]) {
  let current = items[0];
  const admin = {
    queue: vi.fn(async () => ({ items })),
    details: vi.fn(async () => current),
    audit: vi.fn(async () => ({ request_id: current.request_id, entries: [] })),
    claim: vi.fn(async () => (current = { ...current, state: "in_review" })),
    decide: vi.fn(async (_id: string, decision: "approved" | "rejected", reason: string) => {
      current = { ...current, state: decision, decision_reason: reason };
      return current;
    }),
  };
  return admin as unknown as AdminApi & typeof admin;
}

describe("the reviewer view", () => {
  it("lists the queue oldest first", async () => {
    const admin = fakeAdmin([request("vrq_new", "2026-12-07T10:00:00Z"), request("vrq_old", "2026-12-01T10:00:00Z")]);
    render(<Review admin={admin} open={() => {}} />);
    await waitFor(() => expect(document.querySelectorAll(".review-item")).toHaveLength(2));
    const order = [...document.querySelectorAll(".review-item")].map((item) => item.getAttribute("data-request"));
    expect(order).toEqual(["vrq_old", "vrq_new"]);
  });

  it("shows a PDF in a frame and an image as an image, from their preview links", async () => {
    const admin = fakeAdmin([request("vrq_1", "2026-12-01T10:00:00Z")]);
    render(<Review admin={admin} requestId="vrq_1" open={() => {}} />);
    const frame = await screen.findByTitle("extract.pdf");
    expect(frame.tagName).toBe("IFRAME");
    expect(frame.getAttribute("src")).toBe("https://s3.example/extract?inline");
    expect(screen.getByAltText("id.png").getAttribute("src")).toBe("https://s3.example/id?inline");
    expect(screen.getByText("Download extract.pdf").getAttribute("href")).toBe("https://s3.example/extract?attachment");
  });

  it("claims, then decides only with a reason", async () => {
    const admin = fakeAdmin([request("vrq_1", "2026-12-01T10:00:00Z")]);
    render(<Review admin={admin} requestId="vrq_1" open={() => {}} />);
    fireEvent.click(await screen.findByRole("button", { name: "Claim" }));
    await waitFor(() => expect(admin.claim).toHaveBeenCalledWith("vrq_1"));
    const decide = await screen.findByRole("button", { name: "Decide" });
    expect((decide as HTMLButtonElement).disabled).toBe(true); // no reason yet
    fireEvent.click(screen.getByLabelText("Reject"));
    fireEvent.input(screen.getByLabelText("Reason (the business is told)"), { target: { value: "Register extract is for another company" } });
    fireEvent.click(decide);
    await waitFor(() =>
      expect(admin.decide).toHaveBeenCalledWith("vrq_1", "rejected", "Register extract is for another company"),
    );
    await screen.findByText("Decision recorded.");
  });
});
