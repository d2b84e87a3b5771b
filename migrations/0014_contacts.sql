ALTER TABLE `contacts` ADD `merged_into` text;--> statement-breakpoint
ALTER TABLE `contacts` ADD `name_key` text GENERATED ALWAYS AS (lower(coalesce(name, email, ''))) VIRTUAL;--> statement-breakpoint
ALTER TABLE `contacts` ADD `email_key` text GENERATED ALWAYS AS (lower(email)) VIRTUAL;--> statement-breakpoint
CREATE INDEX `contacts_ws_name_key` ON `contacts` (`workspace_id`,`name_key`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_ws_email_key` ON `contacts` (`workspace_id`,`email_key`,`id`);--> statement-breakpoint
-- A merged contact is only a redirect now: it leaves search (its conversations moved to the target).
CREATE TRIGGER `search_contacts_merged` AFTER UPDATE OF `merged_into` ON `contacts`
WHEN NEW.merged_into IS NOT NULL
BEGIN
  DELETE FROM `search_index` WHERE `kind` = 'contact' AND `ref` = OLD.id;
END;
