ALTER TABLE `timeline_items` ADD `attachments` text;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `files_key` text;--> statement-breakpoint
-- A file goes on one message only. The room checks it is unused before linking;
-- this makes it certain when two rooms link the same upload at once (the later
-- batch fails whole, so no item is left without its file or with another's).
CREATE TRIGGER `attachments_link_once` BEFORE UPDATE OF `conversation_id` ON `attachments`
WHEN OLD.`conversation_id` IS NOT NULL AND NEW.`conversation_id` IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'attachment already linked'); END;
