ALTER TABLE `contacts` ADD `email_verified` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Contacts that never held a widget token came from mail or from an agent: their address is theirs.
UPDATE `contacts` SET `email_verified` = 1
WHERE `email` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `contact_tokens` WHERE `contact_tokens`.`contact_id` = `contacts`.`id`);
