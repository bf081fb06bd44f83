CREATE TABLE `break_glass_uses` (
	`grant_id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`user_id` text NOT NULL,
	`resource` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`security_channel` text,
	`security_ts` text,
	`resource_channel` text,
	`resource_ts` text,
	`reminded_at` integer,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	FOREIGN KEY (`grant_id`) REFERENCES `grants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `break_glass_unacknowledged` ON `break_glass_uses` (`acknowledged_at`,`created_at`);