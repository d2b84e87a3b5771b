// The floor for the draft fan-out benchmark: the least a WebSocket relay can do.
// Each text frame from one socket is forwarded, as is, to every other socket.
// It speaks just enough of Switchboard's room protocol for the same client code:
// a hello is answered with a welcome, the heartbeat ping with a pong; nothing is
// parsed, stored or checked.
//
//   node bench/relay-server.mjs <port>    (prints "listening <port>" when ready)

import { WebSocketServer } from "ws";

const port = Number(process.argv[2] || 0);
const PING = '{"type":"ping"}';
const PONG = '{"type":"pong"}';
const HELLO = '{"type":"hello"';
const WELCOME = '{"type":"welcome","viewers":[],"drafts":[],"lastSeq":0}';
const deflate = process.env.BENCH_DEFLATE === "1";

const wss = new WebSocketServer({ host: "127.0.0.1", port, perMessageDeflate: deflate });
wss.on("listening", () => process.stdout.write(`listening ${wss.address().port}\n`));
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    if (!isBinary && data.length < 64) {
      const text = data.toString();
      if (text === PING) return ws.send(PONG);
      if (text.startsWith(HELLO)) return ws.send(WELCOME);
    }
    for (const other of wss.clients) {
      if (other !== ws && other.readyState === 1) other.send(data, { binary: isBinary });
    }
  });
  ws.on("error", () => {});
});

// Never outlive the benchmark: stop when told, or when the parent is gone.
const parent = process.ppid;
const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1000).unref();
// A hard limit, whatever happens: a benchmark run is a few minutes at most.
setTimeout(stop, 15 * 60 * 1000).unref();
