CREATE TABLE `drift_findings` (
	`id` text PRIMARY KEY NOT NULL,
	`target` text NOT NULL,
	`resource` text NOT NULL,
	`kind` text NOT NULL,
	`identity` text NOT NULL,
	`grant_id` text,
	`user_id` text,
	`found_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`alerted_at` integer,
	`resolved_at` integer,
	`resolution` text,
	CONSTRAINT "drift_kind_valid" CHECK("drift_findings"."kind" in ('unmanaged', 'missing'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `drift_one_open` ON `drift_findings` (`target`,`kind`,`identity`) WHERE "drift_findings"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX `drift_open` ON `drift_findings` (`resolved_at`,`found_at`);