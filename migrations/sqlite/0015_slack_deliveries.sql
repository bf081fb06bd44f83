CREATE TABLE `slack_deliveries` (
	`key` text PRIMARY KEY NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `slack_deliveries_seen_at` ON `slack_deliveries` (`seen_at`);