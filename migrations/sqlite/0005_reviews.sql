CREATE TABLE `review_decisions` (
	`review_id` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text NOT NULL,
	`decision` text NOT NULL,
	`decided_by` text NOT NULL,
	`decided_at` integer NOT NULL,
	`note` text,
	PRIMARY KEY(`review_id`, `subject_id`),
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "review_decisions_decision_valid" CHECK("review_decisions"."decision" in ('keep', 'revoke'))
);
--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`trigger` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`since` integer NOT NULL,
	`until` integer NOT NULL,
	`report` text NOT NULL,
	`channel` text,
	`message_ts` text,
	CONSTRAINT "reviews_trigger_valid" CHECK("reviews"."trigger" in ('schedule', 'slack', 'cli'))
);
--> statement-breakpoint
CREATE INDEX `reviews_created` ON `reviews` (`created_at`,`id`);