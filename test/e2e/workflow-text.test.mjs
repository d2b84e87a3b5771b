// Unit tests (no browser, no server) for the pure text rules behind saved-reply
// placeholders and @mentions. Node runs the TypeScript sources directly
// (type stripping, Node 23.6+; the project's Node 24 via `npm run`/`npx`).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { filterPeople, insertMention, mentionQueryAt, mentionedIds, splitMentions } from "../../web/lib/mentions.ts";
import { fillPlaceholders } from "../../web/lib/placeholders.ts";

describe("fillPlaceholders", () => {
  const values = {
    contact: { name: "Grace Hopper", email: "grace@example.com" },
    agent: { name: "Ada Lovelace", email: "ada@acme.test" },
    workspace: { name: "Acme Support" },
  };

  test("fills every known placeholder", () => {
    const text =
      "Hi {{contact.name}} ({{contact.email}}) / {{contact.first_name}} — {{agent.name}}, {{agent.first_name}} <{{agent.email}}> at {{workspace.name}}";
    assert.equal(
      fillPlaceholders(text, values),
      "Hi Grace Hopper (grace@example.com) / Grace — Ada Lovelace, Ada <ada@acme.test> at Acme Support",
    );
  });

  test("allows spaces and any case inside the braces", () => {
    assert.equal(fillPlaceholders("Hi {{ Contact.Name }}!", values), "Hi Grace Hopper!");
  });

  test("leaves unknown placeholders as written", () => {
    assert.equal(
      fillPlaceholders("Order {{order.id}} for {{contact.name}} {{ nope }}", values),
      "Order {{order.id}} for Grace Hopper {{ nope }}",
    );
  });

  test("a missing contact name reads 'there'; other missing values are empty", () => {
    const missing = { contact: { name: null, email: null }, agent: null, workspace: null };
    assert.equal(
      fillPlaceholders(
        "Hi {{contact.name}}, {{contact.first_name}}! [{{contact.email}}] {{agent.name}}{{workspace.name}}",
        missing,
      ),
      "Hi there, there! [] ",
    );
    assert.equal(
      fillPlaceholders("Hi {{contact.name}}", { ...values, contact: { name: "  ", email: "x@y.z" } }),
      "Hi there",
    );
    assert.equal(fillPlaceholders("Hi {{contact.name}}", { ...values, contact: null }), "Hi there");
  });

  test("leaves text without placeholders alone, including lone braces", () => {
    assert.equal(fillPlaceholders("Use {curly} and {{ }} freely", values), "Use {curly} and {{ }} freely");
  });
});

describe("mentionQueryAt", () => {
  test("finds the mention being typed at the caret", () => {
    assert.deepEqual(mentionQueryAt("Hey @be", 7), { start: 4, query: "be" });
    assert.deepEqual(mentionQueryAt("@", 1), { start: 0, query: "" });
    assert.deepEqual(mentionQueryAt("cc (@Bea Ag", 11), { start: 4, query: "Bea Ag" });
    assert.deepEqual(mentionQueryAt("line one\n@jo", 12), { start: 9, query: "jo" });
  });

  test("ignores email addresses, finished lines and other text", () => {
    assert.equal(mentionQueryAt("mail ada@acme.test", 18), null);
    assert.equal(mentionQueryAt("@bea\nnext", 9), null);
    assert.equal(mentionQueryAt("no mention here", 5), null);
    assert.equal(mentionQueryAt("@ space first", 2), null);
    assert.equal(mentionQueryAt(`@${"x".repeat(41)}`, 42), null);
  });
});

describe("filterPeople", () => {
  const people = [
    { id: "1", name: "Bea Agent", email: "bea@acme.test" },
    { id: "2", name: "Albert Bean", email: "al@acme.test" },
    { id: "3", name: "Lucía Fernández", email: "lucia@acme.test" },
    { id: "4", name: "Zed", email: "beacon@acme.test" },
  ];
  test("ranks name starts, then word starts, then anywhere, then email", () => {
    assert.deepEqual(
      filterPeople(people, "bea").map((p) => p.id),
      ["1", "2", "4"],
    );
  });
  test("ignores case and accents", () => {
    assert.deepEqual(
      filterPeople(people, "LUCIA").map((p) => p.id),
      ["3"],
    );
    assert.deepEqual(
      filterPeople(people, "fernán").map((p) => p.id),
      ["3"],
    );
  });
  test("an empty query lists everyone by name, up to the limit", () => {
    assert.deepEqual(
      filterPeople(people, "", 3).map((p) => p.id),
      ["2", "1", "3"],
    );
  });
});

describe("mentionedIds", () => {
  const people = [
    { id: "bea", name: "Bea" },
    { id: "bea-agent", name: "Bea Agent" },
    { id: "lucia", name: "Lucía Fernández" },
  ];
  test("keeps only the people whose full @Name is still in the body, longest name first", () => {
    assert.deepEqual(mentionedIds("@Bea Agent can you check?", people), ["bea-agent"]);
    assert.deepEqual(mentionedIds("@Bea, and (@Lucía Fernández) too. @Bea again", people), ["bea", "lucia"]);
  });
  test("does not count a name run into another word, an email, or an edited name", () => {
    assert.deepEqual(mentionedIds("@Beatrice hello", people), []);
    assert.deepEqual(mentionedIds("mail bea@Bea.test", people), []);
    assert.deepEqual(mentionedIds("@Lucía Fern is out", people), []);
  });
});

describe("splitMentions", () => {
  const people = [
    { id: "bea", name: "Bea" },
    { id: "bea-agent", name: "Bea Agent" },
    { id: "lucia", name: "Lucía Fernández" },
  ];
  const show = (parts) => parts.map((p) => (typeof p === "string" ? p : `[${p.person.id}:${p.text}]`)).join("");
  test("cuts a body into text and mentions, keeping every character", () => {
    assert.equal(
      show(splitMentions("@Bea Agent can you ask (@lucía fernández)?", people)),
      "[bea-agent:@Bea Agent] can you ask ([lucia:@lucía fernández])?",
    );
    assert.equal(show(splitMentions("no one here, mail bea@acme.test", people)), "no one here, mail bea@acme.test");
    assert.equal(show(splitMentions("", people)), "");
  });
  test("keeps the source's own spelling when accents are decomposed", () => {
    const decomposed = "Hi @Luci\u0301a Ferna\u0301ndez!";
    const parts = splitMentions(decomposed, people);
    assert.equal(parts.map((p) => (typeof p === "string" ? p : p.text)).join(""), decomposed);
    assert.equal(parts[1].person.id, "lucia");
    assert.equal(parts[2], "!");
  });
});

describe("insertMention", () => {
  test("replaces the typed query with the full name and a space", () => {
    assert.deepEqual(insertMention("Hi @be", 3, 6, "Bea Agent"), { text: "Hi @Bea Agent ", caret: 14 });
  });
  test("does not double a space that is already there", () => {
    assert.deepEqual(insertMention("Hi @be please", 3, 6, "Bea Agent"), { text: "Hi @Bea Agent please", caret: 14 });
  });
});
