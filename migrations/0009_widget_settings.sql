CREATE TABLE `ratings` (
	`conversation_id` text NOT NULL,
	`resolution_seq` integer NOT NULL,
	`seq` integer NOT NULL,
	`workspace_id` text NOT NULL,
	`inbox_id` text NOT NULL,
	`assignee_id` text,
	`team_id` text,
	`contact_id` text NOT NULL,
	`score` integer NOT NULL,
	`comment` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`conversation_id`, `resolution_seq`),
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ratings_workspace_created` ON `ratings` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `ratings_inbox_created` ON `ratings` (`inbox_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `inboxes` ADD `widget_color` text DEFAULT '#2f6fed' NOT NULL;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `widget_greeting` text DEFAULT 'Hi! Ask us anything, we usually answer within minutes.' NOT NULL;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `widget_position` text DEFAULT 'right' NOT NULL;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `widget_pre_chat` text DEFAULT 'optional' NOT NULL;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `widget_require_identity` integer DEFAULT false NOT NULL;