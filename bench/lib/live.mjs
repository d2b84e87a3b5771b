// The client side of the realtime benchmarks: WebSocket viewers and a drafter
// speaking the conversation room protocol, paced senders, latency recording.
// Everything runs in this one process, so send and receive times come from the
// same clock (performance.now()).

import WebSocket from "ws";
import { byRole, cpuSince, cpuSnapshot } from "./cpu.mjs";
import { round, summarize } from "./stats.mjs";

export const PING = '{"type":"ping"}';
const HEARTBEAT_MS = 2000; // the room drops sockets silent for 6 s
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects after `ms` with `what` unless `promise` settles first. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Opens a room socket, says hello and waits for the welcome. Then every frame
 * goes to `onFrame(data: Buffer, receivedAt: number)`, and a heartbeat ping
 * keeps the socket alive.
 */
export async function openRoomSocket(url, { headers = {}, deflate = false, timeoutMs = 10_000, onFrame } = {}) {
  const ws = new WebSocket(url, { headers, perMessageDeflate: deflate, handshakeTimeout: timeoutMs });
  let welcomed;
  const welcome = new Promise((resolve, reject) => {
    welcomed = resolve;
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) =>
      reject(new Error(`${url} answered the upgrade with HTTP ${res.statusCode}`)),
    );
    ws.once("close", (code, reason) => reject(new Error(`${url} closed before the welcome (${code} ${reason})`)));
  });
  ws.on("message", (data) => {
    const at = performance.now();
    if (welcomed) {
      if (data.includes('"type":"welcome"')) {
        const done = welcomed;
        welcomed = null;
        done();
      }
      return;
    }
    onFrame?.(data, at);
  });
  ws.once("open", () => ws.send(JSON.stringify({ type: "hello", lastSeq: 0 })));
  try {
    await withTimeout(welcome, timeoutMs, `hello/welcome on ${url}`);
  } catch (e) {
    ws.terminate();
    throw e;
  }
  ws.on("error", () => {}); // reported through the loss count
  const beat = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.send(PING);
  }, HEARTBEAT_MS);
  ws.once("close", () => clearInterval(beat));
  return ws;
}

/** Opens `n` sockets, `concurrency` at a time. */
export async function openMany(n, open, concurrency = 10) {
  const sockets = [];
  try {
    for (let i = 0; i < n; i += concurrency) {
      const batch = await Promise.all(Array.from({ length: Math.min(concurrency, n - i) }, (_, k) => open(i + k)));
      sockets.push(...batch);
    }
  } catch (e) {
    closeAll(sockets, 1000);
    throw e;
  }
  return sockets;
}

/** Closes sockets and waits (bounded) for the close handshakes; stragglers are terminated. */
export async function closeAll(sockets, timeoutMs = 3000) {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            ws.terminate();
            resolve();
          }, timeoutMs);
          ws.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          try {
            ws.close(1000, "bench done");
          } catch {
            ws.terminate();
          }
        }),
    ),
  );
}

/**
 * Calls `send(i)` for i = 0..count-1 at `rate` per second, on schedule from the
 * start (a late send does not push back the next ones). Returns how late each
 * send was (ms), so a client that cannot keep up shows.
 */
export async function paced(count, rate, send, onIndex) {
  const interval = 1000 / rate;
  const lag = new Float64Array(count);
  const start = performance.now() + 5;
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    // Timers have 1 ms granularity: a send may be up to ~1 ms late (reported as lag).
    if (wait >= 0.5) await sleep(Math.round(wait));
    onIndex?.(i);
    lag[i] = performance.now() - due;
    await send(i);
  }
  return lag;
}

const PAD = "The quick brown fox jumps over the lazy dog while the customer waits for an answer. ";

/** A body of `chars` characters that starts with a parseable marker. */
function markedBody(marker, chars) {
  let body = marker;
  while (body.length < chars) body += PAD;
  return body.slice(0, Math.max(chars, marker.length));
}

/** Reads `"body":"<tag><n>:<t>:` out of a frame without parsing the JSON: [n, t] or null. */
function readMarker(data, needle) {
  const i = data.indexOf(needle);
  if (i < 0) return null;
  const text = data.toString("latin1", i + needle.length, i + needle.length + 40);
  const a = text.indexOf(":");
  const b = text.indexOf(":", a + 1);
  if (a < 0) return null;
  return [Number(text.slice(0, a)), b < 0 ? NaN : Number(text.slice(a + 1, b))];
}

/**
 * One agent's drafts to `viewers` sockets of other agents, `rate` per second:
 * `warmupS` seconds not counted, then `measureS` seconds measured. Latency is
 * from just before the drafter's send to each viewer's receipt.
 *
 * The drafts go round-robin over `target.senders` sockets of the drafter (1 by
 * default): Switchboard's rooms take at most 20 frames a second from one
 * socket (worker/rooms/frame-budget.ts), so one socket cannot carry 100/s. A
 * room never relays a user's draft to that user's other sockets; a relay would,
 * so the relays keep one sender.
 *
 * target: { name, url, senderHeaders, viewerHeaders, cpuPids: {name: pid[]}, senders? }
 */
export async function draftFanout(
  target,
  { viewers, rate, warmupS, measureS, drainMs = 3000, bodyChars = 120, deflate = false, log = () => {} },
) {
  const warm = Math.round(rate * warmupS);
  const measured = Math.round(rate * measureS);
  const total = warm + measured;
  const expected = measured * viewers;
  const latencies = new Float64Array(expected);
  // The newest draft each viewer has: a draft it never got because a newer one reached it first
  // (a large room sends each typist's latest once per 100 ms) is superseded, not lost.
  const lastSeen = new Int32Array(viewers).fill(-1);
  let delivered = 0;
  let superseded = 0;
  let duplicates = 0;
  let stray = 0;
  let onAllDelivered = null;
  const needle = Buffer.from('"body":"D');

  const onFrame = (viewer, data, at) => {
    const m = readMarker(data, needle);
    if (!m) return;
    const [seq, sentAt] = m;
    if (!(seq >= 0 && seq < total)) {
      stray++;
      return;
    }
    if (seq <= lastSeen[viewer]) {
      duplicates++;
      return;
    }
    superseded += Math.max(0, seq - Math.max(lastSeen[viewer] + 1, warm));
    lastSeen[viewer] = seq;
    if (seq < warm) return;
    latencies[delivered++] = at - sentAt;
    if (delivered + superseded >= expected) onAllDelivered?.();
  };

  log(`${target.name}: opening ${viewers} viewer sockets`);
  const t0 = performance.now();
  const viewerSockets = await openMany(viewers, (v) =>
    openRoomSocket(target.url, { headers: target.viewerHeaders, deflate, onFrame: (d, at) => onFrame(v, d, at) }),
  );
  const connectMs = performance.now() - t0;
  let senders = [];
  try {
    senders = await openMany(target.senders ?? 1, () =>
      openRoomSocket(target.url, { headers: target.senderHeaders, deflate }),
    );
  } catch (e) {
    await closeAll(viewerSockets);
    throw e;
  }
  const extensions = senders[0].extensions || "none";
  await sleep(300); // presence frames of the connects settle

  let cpuStart = null;
  const allDelivered = new Promise((resolve) => (onAllDelivered = resolve));
  log(`${target.name}: ${warm} warm-up drafts, then ${measured} measured, ${rate}/s to ${viewers} viewers`);
  let sendErrors = 0;
  const lag = await paced(
    total,
    rate,
    (i) => {
      const body = markedBody(`D${i}:${performance.now().toFixed(3)}:`, bodyChars);
      senders[i % senders.length].send(JSON.stringify({ type: "draft", body }), (err) => err && sendErrors++);
    },
    (i) => {
      if (i === warm) cpuStart = cpuSnapshot(target.cpuPids);
    },
  );
  const lastSentAt = performance.now();
  const drained = await Promise.race([allDelivered.then(() => true), sleep(drainMs).then(() => false)]);
  const cpu = cpuSince(cpuStart);
  const drainedInMs = performance.now() - lastSentAt;

  await closeAll([...senders, ...viewerSockets]);
  await sleep(500); // the server's close handling stays out of the next scenario

  const lagMeasured = lag.subarray(warm);
  const lat = summarize(latencies, delivered);
  const serverMs = cpu.trees.server;
  return {
    target: target.name,
    viewers,
    rate,
    senders: senders.length,
    measuredDrafts: measured,
    warmupDrafts: warm,
    bodyChars,
    websocketExtensions: extensions,
    connectMs: round(connectMs, 0),
    expected,
    delivered,
    superseded,
    lost: expected - delivered - superseded,
    lossPct: round(((expected - delivered - superseded) / expected) * 100, 3),
    duplicates,
    stray,
    sendErrors,
    drained,
    drainMs: round(drainedInMs, 1),
    latencyMs: Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, k === "count" ? v : round(v, 3)])),
    sendLagMs: {
      p50: round(summarize(lagMeasured).p50, 3),
      p99: round(summarize(lagMeasured).p99, 3),
      max: round(summarize(lagMeasured).max, 3),
    },
    windowS: round(cpu.seconds, 3),
    serverCpu: {
      ms: round(serverMs, 0),
      msPerS: serverMs == null ? null : round(serverMs / cpu.seconds, 1),
      msPer1kDeliveries: delivered && serverMs != null ? round((serverMs / delivered) * 1000, 2) : null,
      byProcessMsPerS: byRole(cpu, target.cpuPids.server),
    },
    clientCpuMsPerS: round(cpu.clientMs / cpu.seconds, 1),
    machineBusyPct: cpu.machine ? round((cpu.machine.busyMs / cpu.machine.totalMs) * 100, 1) : null,
  };
}

/**
 * One reply, POSTed and read to the end; throws unless it is a 201. A plain
 * fetch, not the typed client (client/): this POST is what is timed, so nothing
 * of the client's (middleware, Request copies) is in the numbers.
 */
export async function postReply(postUrl, headers, body) {
  const res = await fetch(postUrl, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify({ kind: "reply", body }),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
}

/**
 * Replies posted one after another (`rate` per second at most) by one agent;
 * for each, the time from just before the POST to its item arriving on each of
 * `viewers` sockets of another agent, and the POST's own latency.
 *
 * target: { name, url (socket), postUrl, postHeaders, viewerHeaders, cpuPids }
 */
export async function replyVisibility(
  target,
  { viewers, count, warmup, rate, drainMs = 3000, bodyChars = 120, deflate = false, log = () => {} },
) {
  const total = warmup + count;
  const startedAt = new Float64Array(total);
  const expected = count * viewers;
  const visible = new Float64Array(expected);
  const post = new Float64Array(count);
  const perReply = new Uint16Array(total);
  let seen = 0;
  let onAll = null;
  const needle = Buffer.from('"body":"R');

  const onFrame = (data, at) => {
    if (!data.includes('"type":"item"')) return;
    const m = readMarker(data, needle);
    if (!m) return;
    const [k] = m;
    if (!(k >= warmup && k < total) || !startedAt[k]) return;
    if (perReply[k]++ >= viewers) return;
    visible[seen++] = at - startedAt[k];
    if (seen === expected) onAll?.();
  };

  log(`${target.name}: opening ${viewers} viewer sockets`);
  const sockets = await openMany(viewers, () =>
    openRoomSocket(target.url, { headers: target.viewerHeaders, deflate, onFrame }),
  );
  await sleep(300);
  const all = new Promise((resolve) => (onAll = resolve));
  let cpuStart = null;
  let failures = 0;
  let firstFailure = null;
  log(`${target.name}: ${warmup} warm-up replies, then ${count} measured, ${rate}/s at most, one at a time`);
  await paced(
    total,
    rate,
    async (k) => {
      const body = markedBody(`R${k}:`, bodyChars);
      startedAt[k] = performance.now();
      try {
        await postReply(target.postUrl, target.postHeaders, body);
        if (k >= warmup) post[k - warmup] = performance.now() - startedAt[k];
      } catch (e) {
        failures++;
        firstFailure ??= e.message;
      }
    },
    (k) => {
      if (k === warmup) cpuStart = cpuSnapshot(target.cpuPids);
    },
  );
  await Promise.race([all, sleep(drainMs)]);
  const cpu = cpuSince(cpuStart);
  await closeAll(sockets);
  await sleep(300);

  const r3 = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === "count" ? v : round(v, 3)]));
  const okPosts = post.filter((x) => x > 0);
  return {
    target: target.name,
    viewers,
    replies: count,
    warmupReplies: warmup,
    rate,
    expected,
    delivered: seen,
    lost: expected - seen,
    postFailures: failures,
    firstFailure,
    visibleMs: r3(summarize(visible, seen)),
    postMs: r3(summarize(okPosts)),
    windowS: round(cpu.seconds, 3),
    serverCpu: {
      ms: round(cpu.trees.server, 0),
      msPerS: cpu.trees.server == null ? null : round(cpu.trees.server / cpu.seconds, 1),
      msPerReply: cpu.trees.server == null ? null : round(cpu.trees.server / count, 2),
      byProcessMsPerS: byRole(cpu, target.cpuPids.server),
    },
    clientCpuMsPerS: round(cpu.clientMs / cpu.seconds, 1),
    machineBusyPct: cpu.machine ? round((cpu.machine.busyMs / cpu.machine.totalMs) * 100, 1) : null,
  };
}

/** Every `"body":"<tag><i>:<t>:` marker in a frame (a `draft` frame has one, a `drafts` frame one per typist). */
function readMarkers(data, needle) {
  const out = [];
  for (let from = data.indexOf(needle); from >= 0; from = data.indexOf(needle, from + needle.length)) {
    const text = data.toString("latin1", from + needle.length, from + needle.length + 40);
    const a = text.indexOf(":");
    const b = text.indexOf(":", a + 1);
    if (a > 0 && b > a) out.push([Number(text.slice(0, a)), Number(text.slice(a + 1, b))]);
  }
  return out;
}

/**
 * The large room: `typists` agents (distinct users) each send a draft every
 * `intervalMs` (the composer's throttle) into one conversation watched by
 * `viewers` sockets of another agent. Draft i comes from typist i % typists, so
 * every typist keeps its own cadence, the typists are spread evenly in time.
 *
 * A viewer takes a typist's marked body from whatever frame carries it: one
 * `draft` frame per draft (the relays, small rooms) or a `drafts` frame with the
 * latest body of every typist since the last one (a coalescing room). A draft a
 * viewer never got because a newer one of the same typist reached it first is
 * `superseded` (the viewer is up to date), not lost; latency is measured on the
 * drafts that arrived, from just before the typist's send to each viewer's
 * receipt, and per draft until the last viewer had it.
 *
 * target: { name, url, typistHeaders: headers[] (one per typist), viewerHeaders, cpuPids }
 */
export async function largeRoom(
  target,
  { viewers, typists, intervalMs, warmupS, measureS, drainMs = 3000, bodyChars = 120, deflate = false, log = () => {} },
) {
  const rate = (typists * 1000) / intervalMs;
  const warm = Math.round(rate * warmupS);
  const measured = Math.round(rate * measureS);
  const total = warm + measured;
  const expected = measured * viewers;
  const latencies = new Float64Array(expected);
  const perDraft = new Uint16Array(measured);
  const lastArrival = new Float64Array(measured); // latency to the last viewer so far
  const lastSeen = Array.from({ length: viewers }, () => new Int32Array(typists).fill(-1));
  let delivered = 0;
  let superseded = 0;
  let duplicates = 0;
  let stray = 0;
  let measuring = false;
  let frames = 0;
  let draftFrames = 0;
  let onSettled = null;
  const needle = Buffer.from('"body":"L');

  const onFrame = (viewer, data, at) => {
    if (measuring) frames++;
    const markers = readMarkers(data, needle);
    if (!markers.length) return;
    if (measuring) draftFrames++;
    const seen = lastSeen[viewer];
    for (const [i, sentAt] of markers) {
      if (!(i >= 0 && i < total)) {
        stray++;
        continue;
      }
      const k = i % typists;
      if (i <= seen[k]) {
        duplicates++; // again, or older than one already shown
        continue;
      }
      // The drafts of this typist between the last one shown and this one (measured ones only) were overtaken.
      const firstMeasured = warm + ((k - (warm % typists) + typists) % typists);
      for (let j = Math.max(seen[k] < 0 ? k : seen[k] + typists, firstMeasured); j < i; j += typists) superseded++;
      seen[k] = i;
      if (i < warm) continue;
      const ms = at - sentAt;
      latencies[delivered++] = ms;
      perDraft[i - warm]++;
      if (ms > lastArrival[i - warm]) lastArrival[i - warm] = ms;
    }
    if (delivered + superseded >= expected) onSettled?.();
  };

  log(`${target.name}: opening ${viewers} viewer sockets and ${typists} typists`);
  const t0 = performance.now();
  const viewerSockets = await openMany(viewers, (v) =>
    openRoomSocket(target.url, { headers: target.viewerHeaders, deflate, onFrame: (d, at) => onFrame(v, d, at) }),
  );
  let typistSockets = [];
  try {
    typistSockets = await openMany(typists, (k) =>
      openRoomSocket(target.url, { headers: target.typistHeaders[k] ?? {}, deflate }),
    );
  } catch (e) {
    await closeAll(viewerSockets);
    throw e;
  }
  const connectMs = performance.now() - t0;
  await sleep(500); // presence frames of the connects settle

  let cpuStart = null;
  const settled = new Promise((resolve) => (onSettled = resolve));
  log(
    `${target.name}: ${warm} warm-up drafts, then ${measured} measured, ${round(rate, 1)}/s (${typists} typists, one each per ${intervalMs} ms) to ${viewers} viewers`,
  );
  let sendErrors = 0;
  const lag = await paced(
    total,
    rate,
    (i) => {
      const body = markedBody(`L${i}:${performance.now().toFixed(3)}:`, bodyChars);
      typistSockets[i % typists].send(JSON.stringify({ type: "draft", body }), (err) => err && sendErrors++);
    },
    (i) => {
      if (i === warm) {
        cpuStart = cpuSnapshot(target.cpuPids);
        measuring = true;
      }
    },
  );
  const lastSentAt = performance.now();
  const drained = await Promise.race([settled.then(() => true), sleep(drainMs).then(() => false)]);
  measuring = false;
  const cpu = cpuSince(cpuStart);
  const drainedInMs = performance.now() - lastSentAt;

  await closeAll([...typistSockets, ...viewerSockets]);
  await sleep(500);

  const lat = summarize(latencies, delivered);
  const toAll = Float64Array.from(lastArrival.filter((_, i) => perDraft[i] === viewers));
  const r3 = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === "count" ? v : round(v, 3)]));
  const lagMeasured = summarize(lag.subarray(warm));
  const serverMs = cpu.trees.server;
  const lost = expected - delivered - superseded;
  return {
    target: target.name,
    viewers,
    typists,
    intervalMs,
    rate: round(rate, 2),
    measuredDrafts: measured,
    warmupDrafts: warm,
    bodyChars,
    connectMs: round(connectMs, 0),
    expected,
    delivered,
    superseded,
    lost,
    lossPct: round((lost / expected) * 100, 3),
    duplicates,
    stray,
    sendErrors,
    drained,
    drainMs: round(drainedInMs, 1),
    latencyMs: r3(lat),
    toAllViewersMs: r3(summarize(toAll)),
    framesPerS: round(frames / cpu.seconds, 0),
    draftFramesPerS: round(draftFrames / cpu.seconds, 0),
    framesPerViewerPerS: round(frames / cpu.seconds / viewers, 1),
    sendLagMs: { p50: round(lagMeasured.p50, 3), p99: round(lagMeasured.p99, 3), max: round(lagMeasured.max, 3) },
    windowS: round(cpu.seconds, 3),
    serverCpu: {
      ms: round(serverMs, 0),
      msPerS: serverMs == null ? null : round(serverMs / cpu.seconds, 1),
      usPerDelivery: delivered && serverMs != null ? round((serverMs / delivered) * 1000, 1) : null,
      usPerDraftSent: serverMs == null ? null : round((serverMs / measured) * 1000, 0),
      byProcessMsPerS: byRole(cpu, target.cpuPids.server),
    },
    clientCpuMsPerS: round(cpu.clientMs / cpu.seconds, 1),
    machineBusyPct: cpu.machine ? round((cpu.machine.busyMs / cpu.machine.totalMs) * 100, 1) : null,
  };
}
