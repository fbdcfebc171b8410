import { describe, expect, it } from "vitest";
import { roleOf } from "./auth";
import { pickLanguage, translate } from "./i18n";

describe("language", () => {
  it("is German for any German the browser prefers first, English otherwise", () => {
    expect(pickLanguage(["de-AT", "en"])).toBe("de");
    expect(pickLanguage(["fr-FR", "de-DE"])).toBe("de");
    expect(pickLanguage(["en-GB", "de"])).toBe("en");
    expect(pickLanguage(["fr"])).toBe("en");
    expect(pickLanguage(undefined)).toBe("en");
  });

  it("fills in values", () => {
    expect(translate("de", "windowLeft", { time: "3 h 2 min" })).toBe("noch 3 h 2 min zum Antworten");
    expect(translate("en", "sentBy", { email: "a@b.example" })).toBe("sent by a@b.example");
  });
});

describe("a member's role", () => {
  it("comes from the token's groups, owner before agent, a reviewer only outside a business's roles", () => {
    expect(roleOf(["agent", "owner"])).toBe("owner");
    expect(roleOf(["agent"])).toBe("agent");
    expect(roleOf("[agent]")).toBe("agent");
    expect(roleOf(["reviewers"])).toBe("reviewer");
    expect(roleOf("[reviewers]")).toBe("reviewer");
    expect(roleOf(["reviewers", "agent"])).toBe("agent");
    expect(roleOf(["reviewer"])).toBeNull(); // the group is "reviewers"
    expect(roleOf(undefined)).toBeNull();
  });
});
