// The floor of `npm run bench:attachments`: the least a worker can do to move
// a file through local R2 under the same `wrangler dev`. No auth, no D1, no
// counting: what is left is the runtime, wrangler's proxy and the local R2.
//
//   POST /drain          reads the request body to the end and stores nothing
//   POST /put?key=…      env.FILES.put(key, request.body) (needs a Content-Length)
//   GET  /get?key=…      the object's body (a Range header is honoured)
//   GET  /api/setup      {"setUp": true}: how the bench finds the runtime's own port

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const key = url.searchParams.get("key") ?? "file";
    if (url.pathname === "/api/setup") return Response.json({ setUp: true });
    if (request.method === "POST" && url.pathname === "/drain") {
      let size = 0;
      for await (const chunk of request.body) size += chunk.byteLength;
      return Response.json({ size }, { status: 201 });
    }
    if (request.method === "POST" && url.pathname === "/put") {
      const object = await env.FILES.put(key, request.body);
      return Response.json({ size: object.size }, { status: 201 });
    }
    if (request.method === "GET" && url.pathname === "/get") {
      const range = request.headers.get("Range");
      const object = await env.FILES.get(key, range ? { range: request.headers } : {});
      if (!object) return new Response("not found", { status: 404 });
      const part = object.range;
      if (range && part) {
        const offset = part.offset ?? 0;
        const length = part.length ?? object.size - offset;
        return new Response(object.body, {
          status: 206,
          headers: {
            "Content-Range": `bytes ${offset}-${offset + length - 1}/${object.size}`,
            "Content-Length": String(length),
          },
        });
      }
      return new Response(object.body, { headers: { "Content-Length": String(object.size) } });
    }
    return new Response("not found", { status: 404 });
  },
};
