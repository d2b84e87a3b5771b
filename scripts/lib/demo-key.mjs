// Finds the widget key the demo site embeds when `npm run dev` serves it: the
// first chat inbox (by creation) in the local D1 database that `wrangler dev`
// keeps under the state folder.
//
// Read straight from wrangler's SQLite file, read-only, with node:sqlite (Node
// 22.5+; the project's Node 24 runs the scripts): no child process per page
// view, and it works while wrangler dev holds the database. Under an older Node,
// `wrangler d1 execute --local` asks instead (a second or two per look). A fresh state (no
// database yet, no workspace, no chat inbox) gives null, so the page shows its
// "no chat inbox yet" notice; the next reload looks again. A key, once found,
// is kept: an inbox's widget key never changes.

import fs from "node:fs";
import path from "node:path";
import { runTool } from "./server.mjs";

const FIRST_CHAT_INBOX = "SELECT widget_key FROM inboxes WHERE channel = 'chat' ORDER BY created_at, id LIMIT 1";

/** The SQLite files of the local D1 databases in a `wrangler dev --persist-to` folder. */
function d1Files(stateDir) {
  const dir = path.join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sqlite"))
    .map((f) => path.join(dir, f));
}

/** The first chat inbox's widget key in one database file, or null (no such table or row yet). */
function firstChatKey(DatabaseSync, file) {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(FIRST_CHAT_INBOX).get()?.widget_key ?? null;
  } catch {
    return null; // not migrated yet, or not Switchboard's database
  } finally {
    db.close();
  }
}

/** The same question through `wrangler d1 execute`, for a Node without node:sqlite. */
export async function keyFromWrangler(stateDir) {
  if (d1Files(stateDir).length === 0) return null;
  const args = ["d1", "execute", "DB", "--local", "--persist-to", stateDir, "--json", "--command", FIRST_CHAT_INBOX];
  try {
    const out = await runTool("wrangler", args);
    return JSON.parse(out.slice(out.indexOf("[")))[0]?.results?.[0]?.widget_key ?? null;
  } catch {
    return null; // not migrated yet
  }
}

/** The first chat inbox's widget key found in any of the state's databases, or null. */
async function keyFromFiles(stateDir) {
  let sqlite;
  try {
    sqlite = await import("node:sqlite");
  } catch {
    return keyFromWrangler(stateDir);
  }
  for (const file of d1Files(stateDir)) {
    const key = firstChatKey(sqlite.DatabaseSync, file);
    if (key) return key;
  }
  return null;
}

/**
 * An async function giving the widget key of the first chat inbox under `stateDir`,
 * or null while there is none (for startDemo's `widgetKey`). `find` does one look.
 */
export function localWidgetKey(stateDir, find = keyFromFiles) {
  let found = null;
  return async () => {
    found ??= await find(stateDir);
    return found;
  };
}
