-- Full-text search over messages, notes, subjects and contacts (SQLite FTS5).
-- One row per searchable text; `kind` says what it is, `ref` which row it came
-- from. Access is decided at query time by joining the conversation's current
-- inbox, so moves need no re-indexing.
CREATE VIRTUAL TABLE `search_index` USING fts5(
  `body`,
  `workspace_id` UNINDEXED,
  `conversation_id` UNINDEXED,
  `contact_id` UNINDEXED,
  `kind` UNINDEXED,
  `ref` UNINDEXED,
  tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `search_items_insert` AFTER INSERT ON `timeline_items`
WHEN NEW.kind IN ('customer', 'reply', 'note')
BEGIN
  INSERT INTO `search_index` (`body`, `workspace_id`, `conversation_id`, `contact_id`, `kind`, `ref`)
  SELECT NEW.body, c.workspace_id, NEW.conversation_id, NULL, NEW.kind, NEW.conversation_id || ':' || NEW.seq
  FROM `conversations` c WHERE c.id = NEW.conversation_id;
END;
--> statement-breakpoint
CREATE TRIGGER `search_conversations_insert` AFTER INSERT ON `conversations`
WHEN NEW.subject IS NOT NULL AND NEW.subject <> ''
BEGIN
  INSERT INTO `search_index` (`body`, `workspace_id`, `conversation_id`, `contact_id`, `kind`, `ref`)
  VALUES (NEW.subject, NEW.workspace_id, NEW.id, NULL, 'subject', NEW.id);
END;
--> statement-breakpoint
CREATE TRIGGER `search_conversations_subject` AFTER UPDATE OF `subject` ON `conversations`
BEGIN
  DELETE FROM `search_index` WHERE `kind` = 'subject' AND `ref` = OLD.id;
  INSERT INTO `search_index` (`body`, `workspace_id`, `conversation_id`, `contact_id`, `kind`, `ref`)
  SELECT NEW.subject, NEW.workspace_id, NEW.id, NULL, 'subject', NEW.id WHERE NEW.subject IS NOT NULL AND NEW.subject <> '';
END;
--> statement-breakpoint
CREATE TRIGGER `search_conversations_delete` AFTER DELETE ON `conversations`
BEGIN
  DELETE FROM `search_index` WHERE `conversation_id` = OLD.id;
END;
--> statement-breakpoint
CREATE TRIGGER `search_contacts_insert` AFTER INSERT ON `contacts`
BEGIN
  INSERT INTO `search_index` (`body`, `workspace_id`, `conversation_id`, `contact_id`, `kind`, `ref`)
  VALUES (trim(coalesce(NEW.name, '') || ' ' || coalesce(NEW.email, '')), NEW.workspace_id, NULL, NEW.id, 'contact', NEW.id);
END;
--> statement-breakpoint
CREATE TRIGGER `search_contacts_update` AFTER UPDATE OF `name`, `email` ON `contacts`
BEGIN
  DELETE FROM `search_index` WHERE `kind` = 'contact' AND `ref` = OLD.id;
  INSERT INTO `search_index` (`body`, `workspace_id`, `conversation_id`, `contact_id`, `kind`, `ref`)
  VALUES (trim(coalesce(NEW.name, '') || ' ' || coalesce(NEW.email, '')), NEW.workspace_id, NULL, NEW.id, 'contact', NEW.id);
END;
--> statement-breakpoint
INSERT INTO `search_index` (`body`, `workspace_id`, `conversation_id`, `contact_id`, `kind`, `ref`)
SELECT t.body, c.workspace_id, t.conversation_id, NULL, t.kind, t.conversation_id || ':' || t.seq
FROM `timeline_items` t JOIN `conversations` c ON c.id = t.conversation_id
WHERE t.kind IN ('customer', 'reply', 'note');
--> statement-breakpoint
INSERT INTO `search_index` (`body`, `workspace_id`, `conversation_id`, `contact_id`, `kind`, `ref`)
SELECT subject, workspace_id, id, NULL, 'subject', id FROM `conversations` WHERE subject IS NOT NULL AND subject <> '';
--> statement-breakpoint
INSERT INTO `search_index` (`body`, `workspace_id`, `conversation_id`, `contact_id`, `kind`, `ref`)
SELECT trim(coalesce(name, '') || ' ' || coalesce(email, '')), workspace_id, NULL, id, 'contact', id FROM `contacts`;
