CREATE TABLE `report_rollups` (
	`workspace_id` text NOT NULL,
	`day` text NOT NULL,
	`inbox_id` text NOT NULL,
	`team_id` text NOT NULL,
	`assignee_id` text NOT NULL,
	`created` integer DEFAULT 0 NOT NULL,
	`resolved` integer DEFAULT 0 NOT NULL,
	`reopened` integer DEFAULT 0 NOT NULL,
	`replies` integer DEFAULT 0 NOT NULL,
	`first_response_count` integer DEFAULT 0 NOT NULL,
	`first_response_sum` integer DEFAULT 0 NOT NULL,
	`first_response_hist` text NOT NULL,
	`first_response_min` integer,
	`first_response_max` integer,
	`resolution_count` integer DEFAULT 0 NOT NULL,
	`resolution_sum` integer DEFAULT 0 NOT NULL,
	`resolution_hist` text NOT NULL,
	`resolution_min` integer,
	`resolution_max` integer,
	`sla_met` integer DEFAULT 0 NOT NULL,
	`sla_missed` integer DEFAULT 0 NOT NULL,
	`rating_count` integer DEFAULT 0 NOT NULL,
	`rating_sum` integer DEFAULT 0 NOT NULL,
	`rating_hist` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`, `inbox_id`, `team_id`, `assignee_id`)
);
--> statement-breakpoint
CREATE INDEX `report_rollups_inbox_day` ON `report_rollups` (`inbox_id`,`day`);--> statement-breakpoint
ALTER TABLE `conversations` ADD `sla_kind` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `sla_started_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `sla_due_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `sla_breached` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `first_response_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `first_response_seconds` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `replies_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `resolved_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `resolution_seconds` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `reopen_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `waiting_since` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `opened_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `metrics_recorded` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `conversations_ws_sla_due` ON `conversations` (`workspace_id`,`sla_due_at`,`id`) WHERE sla_due_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `conversations_inbox_sla_due` ON `conversations` (`inbox_id`,`sla_due_at`,`id`) WHERE sla_due_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `conversations_sla_unbreached` ON `conversations` (`sla_due_at`) WHERE sla_due_at IS NOT NULL AND sla_breached = 0;--> statement-breakpoint
CREATE INDEX `conversations_metrics_pending` ON `conversations` (`id`) WHERE metrics_recorded = 0;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `business_hours` text;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `sla_first_response_minutes` integer;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `sla_next_response_minutes` integer;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `sla_resolution_minutes` integer;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `sla_business_hours_only` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `sla_reclock_pending` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `sla_reclock_cursor` text;--> statement-breakpoint
CREATE INDEX `inboxes_sla_reclock` ON `inboxes` (`id`) WHERE sla_reclock_pending = 1;