/** Attachments' storage core: uploads streamed to real (local) R2, downloads by who may read, the sweep. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_ATTACHMENT_BYTES } from "../../worker/contract";
import {
  agentWith,
  call,
  countRows,
  expectError,
  expectStatus,
  inOneWindow,
  ORIGIN,
  send,
  startConversation,
  supportTeam,
} from "./helpers";
import { bytes, PNG, upload } from "./files";
import { runSweep } from "./mail";

const TEN_MINUTES = 10 * 60_000;

/** A stream of `size` bytes in 1 MiB chunks (byte i is `fill(i)`): a body with no Content-Length. */
function streamOf(size: number, fill: (i: number) => number = () => 0): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(size - sent, 1024 * 1024));
      for (let i = 0; i < chunk.length; i++) chunk[i] = fill(sent + i);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}
const zeros = (size: number) => streamOf(size);

async function objectsIn(workspacePrefix: string) {
  return (await env.FILES.list({ prefix: workspacePrefix })).objects.length;
}

describe("attachments", () => {
  it("stores an agent's upload in R2, serving it to the uploader alone until a message carries it", async () => {
    const { admin, inbox } = await supportTeam();
    const [viewer, outsider] = await Promise.all([
      agentWith(admin, inbox.id, "view"),
      agentWith(admin, inbox.id, "none"),
    ]);
    const file = await expectStatus(upload(admin.as, inbox.id, PNG, "shot.png", "image/png"), 201);
    expect(file).toMatchObject({ name: "shot.png", size: PNG.byteLength, contentType: "image/png" });
    expect(file.url).toBe(`/api/attachments/${file.id}`);

    // Unattached, it is the uploader's draft: nobody else can tell it exists.
    await expectError(call(viewer.as, file.url), 404, "not_found");
    await expectStatus(
      call(admin.as, `/api/conversations/${(await startConversation(inbox.widgetKey)).id}/messages`, {
        method: "POST",
        body: { kind: "note", body: "", attachmentIds: [file.id] },
      }),
      201,
    );
    for (const reader of [admin, viewer]) {
      const res = await call(reader.as, file.url);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(res.headers.get("content-disposition")).toBe("inline; filename*=UTF-8''shot.png");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toBe("sandbox");
      expect(res.headers.get("cache-control")).toMatch(/^private/);
    }
    await expectError(call(outsider.as, file.url), 404, "not_found");
    await expectError(call(null, file.url), 401, "unauthenticated");
  });

  it("lets only agents with note access or more upload, and hides inboxes they cannot see", async () => {
    const { admin, inbox } = await supportTeam();
    const [viewer, outsider, noter] = await Promise.all([
      agentWith(admin, inbox.id, "view"),
      agentWith(admin, inbox.id, "none"),
      agentWith(admin, inbox.id, "note"),
    ]);
    await expectStatus(upload(noter.as, inbox.id, bytes("notes"), "a.txt", "text/plain"), 201);
    await expectError(upload(viewer.as, inbox.id, bytes("x"), "a.txt", "text/plain"), 403, "forbidden");
    await expectError(upload(outsider.as, inbox.id, bytes("x"), "a.txt", "text/plain"), 404, "not_found");
    expect(await countRows("attachments")).toBe(1);
  });

  it("takes a customer's file through the widget, readable by them, then by the team once sent, never by another customer", async () => {
    const { admin, inbox } = await supportTeam();
    const cara = await startConversation(inbox.widgetKey);
    const dan = await startConversation(inbox.widgetKey, "Me too", { name: "Dan" });
    const path = `/api/widget/conversations/${cara.id}/attachments?name=receipt.pdf` as const;
    const res = await call({ bearer: cara.contactToken }, path, {
      body: bytes("%PDF-1.7 receipt"),
      headers: { "content-type": "application/pdf", origin: "https://shop.example" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const file = await expectStatus(res, 201);
    expect(file.contentType).toBe("application/pdf");

    const own = await call({ bearer: cara.contactToken }, file.url);
    expect(own.status).toBe(200);
    expect(new TextDecoder().decode(await own.arrayBuffer())).toBe("%PDF-1.7 receipt");
    expect(own.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''receipt.pdf");
    await expectError(call(admin.as, file.url), 404, "not_found");
    await expectStatus(
      call({ bearer: cara.contactToken }, `/api/widget/conversations/${cara.id}/messages`, {
        method: "POST",
        body: { body: "", attachmentIds: [file.id] },
      }),
      201,
    );
    expect((await call(admin.as, file.url)).status).toBe(200);
    expect((await call({ bearer: cara.contactToken }, file.url)).status).toBe(200);
    await expectError(call({ bearer: dan.contactToken }, file.url), 404, "not_found");
    // Not their conversation: as if it did not exist.
    await expectError(
      call({ bearer: dan.contactToken }, path, { body: bytes("x"), headers: { "content-type": "text/plain" } }),
      404,
      "not_found",
    );
  });

  it("limits widget uploads per visitor address, and answers the widget's CORS preflight for downloads", async () => {
    const { inbox } = await supportTeam();
    const cara = await startConversation(inbox.widgetKey);
    const uploadFrom = (ip: string) =>
      call({ bearer: cara.contactToken }, `/api/widget/conversations/${cara.id}/attachments?name=a.txt`, {
        body: bytes("a"),
        headers: { "content-type": "text/plain", "cf-connecting-ip": ip },
      });
    await inOneWindow(TEN_MINUTES, async (attempt) => {
      const [busy, quiet] = [`203.0.113.${7 + 2 * attempt}`, `203.0.113.${8 + 2 * attempt}`];
      const before = await countRows("attachments");
      for (let i = 0; i < 60; i++) await expectStatus(uploadFrom(busy), 201);
      await expectError(uploadFrom(busy), 429, "rate_limited");
      await expectStatus(uploadFrom(quiet), 201);
      expect(await countRows("attachments")).toBe(before + 61);
    });

    const preflight = await send(
      new Request(`${ORIGIN}/api/attachments/at_x`, {
        method: "OPTIONS",
        headers: { origin: "https://shop.example", "access-control-request-method": "GET" },
      }),
    );
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("refuses 25 MiB + 1 byte streamed without Content-Length, leaving no row and no object", async () => {
    const { admin, inbox } = await supportTeam();
    const before = await env.FILES.list();
    await expectError(
      upload(admin.as, inbox.id, zeros(MAX_ATTACHMENT_BYTES + 1), "big.bin", "application/octet-stream"),
      413,
      "payload_too_large",
    );
    expect(await countRows("attachments")).toBe(0);
    expect((await env.FILES.list()).objects.length).toBe(before.objects.length);
    // Exactly 25 MiB, also streamed (several multipart parts), is accepted whole.
    const file = await expectStatus(upload(admin.as, inbox.id, zeros(MAX_ATTACHMENT_BYTES), "ok.bin", "x/y"), 201);
    expect(file.size).toBe(MAX_ATTACHMENT_BYTES);
    expect((await env.FILES.head(`${await workspaceOf(file.id)}/${file.id}`))?.size).toBe(MAX_ATTACHMENT_BYTES);
  });

  it("keeps every byte of a streamed upload that spans several 5 MiB parts", async () => {
    const { admin, inbox } = await supportTeam();
    const size = 11 * 1024 * 1024 + 7;
    const fill = (i: number) => (i * 31 + (i >> 20)) & 0xff;
    const file = await expectStatus(upload(admin.as, inbox.id, streamOf(size, fill), "log.bin", "x/y"), 201);
    const got = new Uint8Array(await (await call(admin.as, file.url)).arrayBuffer());
    expect(got.length).toBe(size);
    const wrong = got.findIndex((b, i) => b !== fill(i));
    expect(wrong).toBe(-1);
  });

  it("refuses a declared Content-Length over 25 MiB, and streams a declared one within it", async () => {
    const { admin, inbox } = await supportTeam();
    const big = new Uint8Array(MAX_ATTACHMENT_BYTES + 1);
    await expectError(upload(admin.as, inbox.id, big, "big.bin", "application/zip"), 413, "payload_too_large");
    expect(await countRows("attachments")).toBe(0);
    const file = await expectStatus(upload(admin.as, inbox.id, big.subarray(1), "fits.zip", "application/zip"), 201);
    expect(file.size).toBe(MAX_ATTACHMENT_BYTES);
  });

  it("stores a forged image as octet-stream and never shows SVG inline", async () => {
    const { admin, inbox } = await supportTeam();
    const forged = await expectStatus(
      upload(admin.as, inbox.id, bytes("<html><script>alert(1)</script>"), "cat.png", "image/png"),
      201,
    );
    expect(forged.contentType).toBe("application/octet-stream");
    const res = await call(admin.as, forged.url);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);

    const svg = await expectStatus(upload(admin.as, inbox.id, bytes("<svg/>"), "x.svg", "image/svg+xml"), 201);
    const svgRes = await call(admin.as, svg.url);
    expect(svgRes.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(svgRes.headers.get("content-security-policy")).toBe("sandbox");
  });

  it("sanitises names: no paths, no control characters, at most 200 characters, 'file' when empty", async () => {
    const { admin, inbox } = await supportTeam();
    const nameOf = async (name: string) =>
      (await expectStatus(upload(admin.as, inbox.id, bytes("x"), name, "text/plain"), 201)).name;
    expect(await nameOf("../../etc/passwd")).toBe("passwd");
    expect(await nameOf("C:\\Users\\me\\report.txt")).toBe("report.txt");
    expect(await nameOf("bad\u0000na\nme\u001b.txt")).toBe("badname.txt");
    expect(await nameOf("")).toBe("file");
    expect(await nameOf("a/..")).toBe("file");
    expect((await nameOf(`${"é".repeat(300)}.txt`)).length).toBe(200);
    const weird = await expectStatus(upload(admin.as, inbox.id, bytes("x"), 'naïve "q"; x.txt', "text/plain"), 201);
    const res = await call(admin.as, weird.url);
    expect(res.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''na%C3%AFve%20%22q%22%3B%20x.txt");
  });

  it("answers Range requests with 206 and a matching ETag with 304", async () => {
    const { admin, inbox } = await supportTeam();
    const file = await expectStatus(upload(admin.as, inbox.id, bytes("0123456789"), "d.txt", "text/plain"), 201);
    const whole = await call(admin.as, file.url);
    const etag = whole.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    await whole.arrayBuffer();

    const part = await call(admin.as, file.url, { headers: { range: "bytes=2-5" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(await part.text()).toBe("2345");
    const tail = await call(admin.as, file.url, { headers: { range: "bytes=7-" } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get("content-range")).toBe("bytes 7-9/10");
    expect(await tail.text()).toBe("789");

    const cached = await call(admin.as, file.url, { headers: { "if-none-match": etag } });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe("");
  });

  it("sweeps uploads never attached after a day, and keeps fresh ones", async () => {
    const { admin, inbox } = await supportTeam();
    const old = await expectStatus(upload(admin.as, inbox.id, bytes("old"), "old.txt", "text/plain"), 201);
    const fresh = await expectStatus(upload(admin.as, inbox.id, bytes("new"), "new.txt", "text/plain"), 201);
    const now = Date.now();
    await env.DB.prepare("UPDATE attachments SET created_at = ? WHERE id = ?")
      .bind(now - 25 * 60 * 60 * 1000, old.id)
      .run();
    const prefix = `${await workspaceOf(old.id)}/`;
    expect(await objectsIn(prefix)).toBe(2);

    await runSweep(now);
    expect(await env.DB.prepare("SELECT id FROM attachments").all()).toMatchObject({ results: [{ id: fresh.id }] });
    expect((await env.FILES.list({ prefix })).objects.map((o) => o.key)).toEqual([`${prefix}${fresh.id}`]);
    await expectError(call(admin.as, old.url), 404, "not_found");
    // Again: nothing more to delete, nothing fails.
    await runSweep(now);
    expect(await countRows("attachments")).toBe(1);
  });
});

async function workspaceOf(id: string): Promise<string> {
  const row = await env.DB.prepare("SELECT workspace_id AS w FROM attachments WHERE id = ?")
    .bind(id)
    .first<{ w: string }>();
  return row!.w;
}
