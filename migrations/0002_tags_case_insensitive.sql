DROP INDEX `tags_workspace_name`;--> statement-breakpoint
CREATE UNIQUE INDEX `tags_workspace_lower_name` ON `tags` (`workspace_id`,lower("name"));