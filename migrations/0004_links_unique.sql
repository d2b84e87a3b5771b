-- One link per pair. Earlier versions checked duplicates outside the rooms, so a race could store two:
-- keep the oldest of each pair before the indexes make it certain.
DELETE FROM `links` WHERE `ticket_id` IS NOT NULL AND `rowid` NOT IN (
  SELECT min(`rowid`) FROM `links` WHERE `ticket_id` IS NOT NULL GROUP BY `conversation_id`, `ticket_id`
);--> statement-breakpoint
DELETE FROM `links` WHERE `target_conversation_id` IS NOT NULL AND `rowid` NOT IN (
  SELECT min(`rowid`) FROM `links` WHERE `target_conversation_id` IS NOT NULL
  GROUP BY min(`conversation_id`, `target_conversation_id`), max(`conversation_id`, `target_conversation_id`)
);--> statement-breakpoint
CREATE UNIQUE INDEX `links_ticket_once` ON `links` (`conversation_id`,`ticket_id`) WHERE ticket_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `links_pair_once` ON `links` (min(`conversation_id`, `target_conversation_id`), max(`conversation_id`, `target_conversation_id`)) WHERE target_conversation_id IS NOT NULL;
