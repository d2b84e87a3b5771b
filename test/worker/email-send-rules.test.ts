import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { referencesHeader } from "../../worker/email/threading";
import { EmailRefused, headerRefusal, strictEmail } from "../../worker/email/send-rules";

const base = { from: "help@acme.test", to: "jo@example.com", subject: "Re: Invoice", text: "Fixed." };

describe("the EMAIL binding as production has it", () => {
  it("refuses platform headers and API-field headers, as Email Service does", async () => {
    const mail = strictEmail(env.EMAIL);
    for (const [name, code] of [
      ["Message-ID", "E_HEADER_NOT_ALLOWED"],
      ["Date", "E_HEADER_NOT_ALLOWED"],
      ["MIME-Version", "E_HEADER_NOT_ALLOWED"],
      ["Content-Type", "E_HEADER_NOT_ALLOWED"],
      ["Received", "E_HEADER_NOT_ALLOWED"],
      ["Sender", "E_HEADER_NOT_ALLOWED"],
      ["From", "E_HEADER_USE_API_FIELD"],
      ["to", "E_HEADER_USE_API_FIELD"],
      ["Subject", "E_HEADER_USE_API_FIELD"],
      ["Reply-To", "E_HEADER_USE_API_FIELD"],
    ]) {
      const refused = mail.send({ ...base, headers: { [name!]: "<x@acme.test>" } });
      await expect(refused, name).rejects.toThrow(EmailRefused);
      await expect(refused, name).rejects.toThrow(code!);
    }
  });

  it("refuses bad values: CR/LF, unknown Auto-Submitted, more than 100 References, over 2,048 bytes", () => {
    expect(headerRefusal({ "X-Tag": "a\r\nBcc: evil@x.test" })?.code).toBe("E_HEADER_VALUE_INVALID");
    expect(headerRefusal({ "Auto-Submitted": "yes" })?.code).toBe("E_HEADER_VALUE_INVALID");
    const ids = Array.from({ length: 101 }, (_, i) => `<${i}@a.b>`).join(" ");
    expect(headerRefusal({ References: ids })?.code).toBe("E_HEADER_VALUE_INVALID");
    expect(headerRefusal({ "X-Long": "x".repeat(2049) })?.code).toBe("E_HEADER_VALUE_TOO_LONG");
    expect(headerRefusal({ "Bad Name": "x" })?.code).toBe("E_HEADER_NAME_INVALID");
  });

  it("accepts threading, Auto-Submitted and X- headers and returns the id the real binding gave", async () => {
    const result = await strictEmail(env.EMAIL).send({
      ...base,
      headers: {
        "In-Reply-To": "<m1@example.com>",
        References: "<m1@example.com>",
        "Auto-Submitted": "auto-generated",
        "X-Switchboard-Conversation": "cv_1",
      },
    });
    expect(result.messageId).toEqual(expect.any(String));
    expect(result.messageId.length).toBeGreaterThan(3);
  });

  it("keeps References within 100 ids and 2,048 bytes, root first and newest last", () => {
    const chain = Array.from({ length: 300 }, (_, i) => `${i}@mail.example.com`);
    const value = referencesHeader(chain);
    const ids = value.split(" ");
    expect(ids[0]).toBe("<0@mail.example.com>");
    expect(ids.at(-1)).toBe("<299@mail.example.com>");
    expect(ids.length).toBeLessThanOrEqual(100);
    expect(new TextEncoder().encode(value).length).toBeLessThanOrEqual(2048);
    expect(headerRefusal({ References: value })).toBeNull();
    const short = referencesHeader(Array.from({ length: 150 }, (_, i) => `${i}@a.b`));
    expect(short.split(" ")).toHaveLength(100);
  });
});
