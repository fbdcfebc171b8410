import { render } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import type { Message } from "../lib/api";
import { MessageBody } from "./MessageBody";

function message(type: string, content: Record<string, unknown>, extra: Partial<Message> = {}): Message {
  return {
    message_id: "m1",
    customer_id: "cus_1",
    direction: "inbound",
    phone_number_id: "1",
    type,
    content: { type, ...content },
    status: "received",
    status_times: {},
    errors: [],
    sent_at: "2026-11-25T10:00:00Z",
    created_at: "2026-11-25T10:00:00Z",
    ...extra,
  };
}

describe("every message type is readable", () => {
  it("a location names its place and links a map", () => {
    const { container } = render(
      <MessageBody message={message("location", { location: { latitude: 48.2, longitude: 16.37, name: "Stephansplatz" } })} />,
    );
    expect(container.textContent).toContain("Stephansplatz");
    expect(container.querySelector("a")?.getAttribute("href")).toContain("mlat=48.2");
  });

  it("an interactive reply shows the button the customer chose", () => {
    const { container } = render(
      <MessageBody message={message("interactive", { interactive: { type: "button_reply", button_reply: { id: "y", title: "Ja bitte" } } })} />,
    );
    expect(container.textContent).toContain("Ja bitte");
  });

  it("media is linked only over https, and a caption shows", () => {
    const linked = render(<MessageBody message={message("image", { image: { link: "https://cdn.example/a.jpg", caption: "Torte" } })} />);
    expect(linked.container.querySelector("a")?.getAttribute("href")).toBe("https://cdn.example/a.jpg");
    const script = render(<MessageBody message={message("document", { document: { link: "javascript:alert(1)", filename: "x.pdf" } })} />);
    expect(script.container.querySelector("a")).toBeNull();
    expect(script.container.textContent).toContain("x.pdf");
  });

  it("a deleted message says so; an unknown type is named", () => {
    expect(render(<MessageBody message={message("text", { text: { body: "weg" } }, { deleted_at: "2026-11-25T10:01:00Z" })} />).container.textContent).toBe(
      "This message was deleted",
    );
    expect(render(<MessageBody message={message("order", {})} />).container.textContent).toBe("Message type order");
  });
});
