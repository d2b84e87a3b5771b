import { Hono } from "hono";
import { ContactProfileQuery, ContactsQuery, MergeContactInput, UpdateContactInput } from "../contract";
import { contactFor, contactProfile, mergeContact, readerOf, updateContact } from "../contacts";
import { getDb } from "../db/client";
import { listContacts } from "../db/queries/contact-lists";
import type { AppEnv } from "../env";
import { validate } from "../lib/validate";

/** `/api/contacts`: the people conversations are with, as far as the reader's inboxes show them. */
export const contactRoutes = new Hono<AppEnv>()
  .get("/", validate("query", ContactsQuery), async (c) => {
    const db = getDb(c.env.DB);
    const reader = await readerOf(db, c.var.actor);
    return c.json(await listContacts(db, c.var.actor.workspaceId, reader.seen, c.req.valid("query")));
  })
  .get("/:id", validate("query", ContactProfileQuery), async (c) => {
    const db = getDb(c.env.DB);
    const reader = await readerOf(db, c.var.actor);
    const contact = await contactFor(db, reader, c.req.param("id"));
    return c.json(await contactProfile(db, reader, contact, c.req.valid("query")));
  })
  .patch("/:id", validate("json", UpdateContactInput), async (c) => {
    const db = getDb(c.env.DB);
    const reader = await readerOf(db, c.var.actor);
    const contact = await updateContact(db, reader, c.req.param("id"), c.req.valid("json"));
    return c.json(await contactProfile(db, reader, contact));
  })
  .post("/:id/merge", validate("json", MergeContactInput), async (c) => {
    const db = getDb(c.env.DB);
    const reader = await readerOf(db, c.var.actor);
    const { intoContactId } = c.req.valid("json");
    return c.json(await mergeContact(c.env, db, reader, c.req.param("id"), intoContactId));
  });
