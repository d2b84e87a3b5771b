CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`inbox_id` text NOT NULL,
	`uploader_type` text NOT NULL,
	`uploader_id` text NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`etag` text NOT NULL,
	`r2_key` text NOT NULL,
	`conversation_id` text,
	`item_seq` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `attachments_unattached_created` ON `attachments` (`created_at`) WHERE conversation_id IS NULL;--> statement-breakpoint
CREATE INDEX `attachments_conversation_item` ON `attachments` (`conversation_id`,`item_seq`);