// A second floor for the draft fan-out benchmark: the least a Durable Object
// relay can do on the same runtime (wrangler dev → workerd) as Switchboard.
// One object per path; each text frame from one socket goes, as is, to every
// other socket of the object. Same protocol subset as bench/relay-server.mjs.
//
//   /h/<room>  hibernatable sockets (ctx.acceptWebSocket), like Switchboard's rooms
//   /p/<room>  plain sockets (ws.accept() and event listeners), held in memory
import { DurableObject } from "cloudflare:workers";

const PING = '{"type":"ping"}';
const PONG = '{"type":"pong"}';
const HELLO = '{"type":"hello"';
const WELCOME = '{"type":"welcome","viewers":[],"drafts":[],"lastSeq":0}';

export class Room extends DurableObject {
  #plain = new Set();

  constructor(ctx, env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  async fetch(request) {
    const { 0: client, 1: server } = new WebSocketPair();
    if (new URL(request.url).pathname.startsWith("/p/")) {
      server.accept();
      this.#plain.add(server);
      server.addEventListener("message", (event) => this.#relay(server, event.data, this.#plain));
      const drop = () => this.#plain.delete(server);
      server.addEventListener("close", () => {
        drop();
        try {
          server.close(1000, "closing");
        } catch {
          // already closed
        }
      });
      server.addEventListener("error", drop);
    } else {
      this.ctx.acceptWebSocket(server);
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  #relay(from, message, sockets) {
    if (typeof message === "string" && message.length < 64) {
      if (message === PING) return from.send(PONG);
      if (message.startsWith(HELLO)) return from.send(WELCOME);
    }
    for (const ws of sockets) {
      if (ws === from) continue;
      try {
        ws.send(message);
      } catch {
        // closing
      }
    }
  }

  webSocketMessage(ws, message) {
    this.#relay(ws, message, this.ctx.getWebSockets());
  }

  webSocketClose(ws, code) {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }
}

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    if (request.headers.get("Upgrade") !== "websocket") return Response.json({ setUp: false, relay: true });
    return env.ROOM.get(env.ROOM.idFromName(url.pathname)).fetch(request);
  },
};
