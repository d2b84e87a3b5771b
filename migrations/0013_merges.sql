CREATE TABLE `merges` (
	`source_id` text PRIMARY KEY NOT NULL,
	`target_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`actor_id` text,
	`actor_name` text NOT NULL,
	`first_seq` integer,
	`last_seq` integer,
	`created_at` integer NOT NULL,
	`done_at` integer
);
--> statement-breakpoint
CREATE INDEX `merges_pending` ON `merges` (`created_at`) WHERE status = 'pending';--> statement-breakpoint
ALTER TABLE `conversations` ADD `merged_into` text;--> statement-breakpoint
CREATE INDEX `conversations_merged_into` ON `conversations` (`merged_into`) WHERE merged_into IS NOT NULL;--> statement-breakpoint
-- A merge moves the source's files to the target along with their items: the one re-link allowed.
DROP TRIGGER `attachments_link_once`;--> statement-breakpoint
CREATE TRIGGER `attachments_link_once` BEFORE UPDATE OF `conversation_id` ON `attachments`
WHEN OLD.`conversation_id` IS NOT NULL AND NEW.`conversation_id` IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM `merges` WHERE `source_id` = OLD.`conversation_id` AND `target_id` = NEW.`conversation_id`)
BEGIN SELECT RAISE(ABORT, 'attachment already linked'); END;
