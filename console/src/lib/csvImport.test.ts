import { describe, expect, it } from "vitest";
import { chunks, parseCsv, rowErrorsOf, subscribersFromCsv, waIdOf } from "./csvImport";

describe("reading a CSV of subscribers", () => {
  it("reads quoted fields with delimiters, doubled quotes and line breaks, with or without a BOM", () => {
    const text = '\uFEFFwa_id,first_name,note\r\n436601234567,"Huber, Anna","sagt ""Servus""\nzweite Zeile"\n';
    expect(parseCsv(text)).toEqual([
      ["wa_id", "first_name", "note"],
      ["436601234567", "Huber, Anna", 'sagt "Servus"\nzweite Zeile'],
    ]);
  });

  it("takes the semicolons German Excel writes", () => {
    expect(parseCsv("wa_id;tags\n436601234567;stammkunde")).toEqual([["wa_id", "tags"], ["436601234567", "stammkunde"]]);
  });

  it("writes a phone number as WhatsApp's wa_id and leaves anything else as it is", () => {
    expect(waIdOf("+43 660 123-4567")).toBe("436601234567");
    expect(waIdOf("0043 (660) 1234567")).toBe("436601234567");
    expect(waIdOf("anna")).toBe("anna");
  });

  it("maps wa_id, user_id, tags and every other column as an attribute, by CSV row number", () => {
    const csv = [
      "WA ID,User_ID,Tags,First Name,city",
      "+43 660 1234567,,Stammkunde neu,Anna,Wien",
      ",AT.123456789,,,",
      "",
      "12,,,Zu kurz,",
      "436609876543,,bad tag!,Bert,",
    ].join("\n");
    const parsed = subscribersFromCsv(csv);
    expect(parsed.headerError).toBe("");
    expect(parsed.items).toEqual([
      {
        row: 2,
        item: { wa_id: "436601234567", tags: ["stammkunde", "neu"], attributes: { first_name: "Anna", city: "Wien" } },
      },
      { row: 3, item: { user_id: "AT.123456789", tags: [], attributes: {} } },
    ]);
    // the blank line 4 is no one; rows 5 and 6 are refused here, with their row numbers
    expect(parsed.errors).toEqual([
      { row: 5, message: "wa_id 12" },
      { row: 6, message: "tag tag!" },
    ]);
  });

  it("refuses a header without wa_id or user_id, or with a column that cannot be an attribute", () => {
    expect(subscribersFromCsv("name,phone\nAnna,1").headerError).toBe("wa_id / user_id");
    expect(subscribersFromCsv("wa_id,1st\n436601234567,x").headerError).toBe("1st");
  });

  it("sends in chunks and places the API's refusals at their CSV rows", () => {
    const rows = [10, 11, 12, 13, 14].map((row) => ({ row }));
    const [first, second] = chunks(rows, 3);
    expect(second).toEqual([{ row: 13 }, { row: 14 }]);
    const results = [
      { index: 0, status: 201 },
      { index: 1, status: 422, error: { message: "Invalid fields", details: [{ field: "attributes.city", message: "too long" }] } },
      { index: 2, status: 200 },
    ];
    expect(rowErrorsOf(first, results)).toEqual([{ row: 11, message: "Invalid fields attributes.city: too long" }]);
  });
});
