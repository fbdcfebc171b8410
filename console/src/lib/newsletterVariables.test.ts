import { describe, expect, it } from "vitest";
import { apiVariables, incomplete, initialChoices, previewFor } from "./newsletterVariables";
import type { MessageTemplate } from "./templates";

const named: MessageTemplate = {
  template_id: "1",
  name: "weekly_offer",
  language: "de",
  status: "APPROVED",
  parameter_format: "named",
  variables: { body: ["first_name", "offer"] },
  components: [{ type: "BODY", text: "Hallo {{first_name}}, diese Woche: {{offer}}!" }],
};
const numbered: MessageTemplate = {
  ...named,
  parameter_format: "positional",
  variables: { header: ["1"], body: ["1"] },
  components: [
    { type: "HEADER", format: "TEXT", text: "Für {{1}}" },
    { type: "BODY", text: "Heute: {{1}}" },
  ],
};
const anna = { customer_id: "cus_1", wa_id: "436601234567", attributes: { first_name: "Anna" } };
const bert = { customer_id: "cus_2", wa_id: "436602222222", attributes: {} };

describe("a newsletter's variables", () => {
  it("fills a named variable from the attribute of its name at first", () => {
    expect(initialChoices(named)["body.first_name"]).toEqual({ from: "attribute", value: "first_name", fallback: "" });
    expect(initialChoices(numbered)["header.1"]).toEqual({ from: "text", value: "", fallback: "" });
  });

  it("names a named template's variables by name and a numbered one's by component and place", () => {
    const choices = {
      "body.first_name": { from: "attribute" as const, value: "first_name", fallback: "liebe Kundschaft" },
      "body.offer": { from: "text" as const, value: "Kipferl", fallback: "" },
    };
    expect(apiVariables(named, choices)).toEqual({
      first_name: { attribute: "first_name", default: "liebe Kundschaft" },
      offer: { text: "Kipferl" },
    });
    const positional = {
      "header.1": { from: "attribute" as const, value: "first_name", fallback: "" },
      "body.1": { from: "text" as const, value: "Krapfen", fallback: "" },
    };
    expect(apiVariables(numbered, positional)).toEqual({ "header.1": { attribute: "first_name" }, "body.1": { text: "Krapfen" } });
  });

  it("previews what a chosen subscriber reads, and says when they would be skipped", () => {
    const withFallback = {
      "body.first_name": { from: "attribute" as const, value: "first_name", fallback: "liebe Kundschaft" },
      "body.offer": { from: "text" as const, value: "Kipferl", fallback: "" },
    };
    expect(previewFor(named, withFallback, anna)).toEqual({ text: "Hallo Anna, diese Woche: Kipferl!", skipped: false });
    expect(previewFor(named, withFallback, bert).text).toBe("Hallo liebe Kundschaft, diese Woche: Kipferl!");
    const noFallback = { ...withFallback, "body.first_name": { ...withFallback["body.first_name"], fallback: "" } };
    expect(previewFor(named, noFallback, bert).skipped).toBe(true);
  });

  it("is incomplete while a variable has no attribute or text", () => {
    expect(incomplete(named, initialChoices(named))).toEqual([]);
    expect(incomplete(numbered, initialChoices(numbered))).toEqual(["header.1", "body.1"]);
  });
});
