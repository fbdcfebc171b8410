import { describe, expect, it } from "vitest";
import { missing, preview, sendable, sendComponents, variableKeys, type MessageTemplate } from "./templates";

const offer: MessageTemplate = {
  template_id: "1",
  name: "weekly_offer",
  language: "de",
  status: "APPROVED",
  parameter_format: "positional",
  variables: { header: ["1"], body: ["1", "2"] },
  components: [
    { type: "HEADER", format: "TEXT", text: "Hallo {{1}}" },
    { type: "BODY", text: "Diese Woche: {{1}} um {{2}} €" },
  ],
};
const named: MessageTemplate = {
  ...offer,
  name: "pickup",
  parameter_format: "named",
  variables: { body: ["first_name"] },
  components: [{ type: "BODY", text: "{{first_name}}, Ihre Bestellung ist da." }],
};

describe("template variables", () => {
  it("only approved (or reinstated) templates can be sent", () => {
    const pending = { ...offer, status: "PENDING" };
    const reinstated = { ...offer, status: "REINSTATED" };
    expect(sendable([offer, pending, reinstated])).toEqual([offer, reinstated]);
  });

  it("each variable is asked for once per component, header first", () => {
    expect(variableKeys(offer)).toEqual(["header.1", "body.1", "body.2"]);
  });

  it("the preview fills what is given and keeps what is not", () => {
    const values = { "header.1": "Anna", "body.1": "Kipferl" };
    expect(preview(offer, values)).toBe("Hallo Anna\nDiese Woche: Kipferl um {{2}} €");
    expect(missing(offer, values)).toEqual(["body.2"]);
  });

  it("a send carries one parameter per variable, named ones with their name", () => {
    const values = { "header.1": "Anna", "body.1": "Kipferl", "body.2": "2,50" };
    expect(sendComponents(offer, values)).toEqual([
      { type: "header", parameters: [{ type: "text", text: "Anna" }] },
      {
        type: "body",
        parameters: [
          { type: "text", text: "Kipferl" },
          { type: "text", text: "2,50" },
        ],
      },
    ]);
    expect(sendComponents(named, { "body.first_name": "Anna" })).toEqual([
      { type: "body", parameters: [{ type: "text", text: "Anna", parameter_name: "first_name" }] },
    ]);
  });
});
