import { describe, expect, it } from "vitest";
import { urlRefusal } from "./urls";

const production = {};
const local = { ALLOW_LOCAL_WEBHOOKS: "1" };

describe("where a webhook may point", () => {
  it("takes public https URLs in production", () => {
    for (const url of [
      "https://hooks.example.com/switchboard",
      "https://example.com:8443/in?team=support",
      "https://93.184.216.34/hook",
      "https://[2606:2800:220:1:248:1893:25c8:1946]/hook",
    ]) {
      expect(urlRefusal(url, production), url).toBeNull();
    }
  });

  it("refuses plain http, local names and private, loopback or link-local addresses in production", () => {
    for (const url of [
      "http://hooks.example.com/in",
      "https://localhost/in",
      "https://api.localhost/in",
      "https://printer.local/in",
      "https://db.internal/in",
      "https://intranet/in",
      "https://127.0.0.1/in",
      "https://2130706433/in",
      "https://0x7f.1/in",
      "https://0.0.0.0/in",
      "https://10.1.2.3/in",
      "https://172.20.0.1/in",
      "https://192.168.1.10/in",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/in",
      "https://[::1]/in",
      "https://[::ffff:127.0.0.1]/in",
      "https://[fd00::1]/in",
      "https://[fe80::1]/in",
      "ftp://example.com/in",
      "not a url",
    ]) {
      expect(urlRefusal(url, production), url).not.toBeNull();
    }
  });

  it("takes http and local receivers in development", () => {
    expect(urlRefusal("http://localhost:9000/hook", local)).toBeNull();
    expect(urlRefusal("http://127.0.0.1:9000/hook", local)).toBeNull();
    expect(urlRefusal("ftp://localhost/hook", local)).not.toBeNull();
  });
});
