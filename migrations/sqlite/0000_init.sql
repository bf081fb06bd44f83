CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text NOT NULL,
	`resource` text,
	`reason` text,
	`details` text DEFAULT '{}' NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_subject` ON `audit_events` (`subject_type`,`subject_id`);--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_events` (`at`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`user_id` text NOT NULL,
	`user_email` text,
	`resource` text NOT NULL,
	`reason` text NOT NULL,
	`granted_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`provisioned_at` integer,
	`provision_error` text,
	`end_requested_reason` text,
	`end_requested_by` text,
	`revoke_reason` text,
	`revoked_at` integer,
	`revoked_by` text,
	`revoke_error` text,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "grants_status_valid" CHECK("grants"."status" in ('active', 'revoked', 'revoke_failed')),
	CONSTRAINT "grants_window_valid" CHECK("grants"."expires_at" > "grants"."granted_at")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `grants_one_per_request` ON `grants` (`request_id`);--> statement-breakpoint
CREATE INDEX `grants_status_expires` ON `grants` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `grants_user_status` ON `grants` (`user_id`,`status`);--> statement-breakpoint
CREATE TABLE `request_approvals` (
	`request_id` text NOT NULL,
	`approver_id` text NOT NULL,
	`stage` integer NOT NULL,
	`approved_at` integer NOT NULL,
	PRIMARY KEY(`request_id`, `approver_id`),
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `requests` (
	`id` text PRIMARY KEY NOT NULL,
	`requester_id` text NOT NULL,
	`requester_email` text,
	`resource` text NOT NULL,
	`duration_ms` integer NOT NULL,
	`reason` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`policy_version` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`approval_channel` text,
	`approval_ts` text,
	CONSTRAINT "requests_status_valid" CHECK("requests"."status" in ('pending', 'approved', 'denied', 'cancelled', 'lapsed')),
	CONSTRAINT "requests_duration_positive" CHECK("requests"."duration_ms" > 0)
);
--> statement-breakpoint
CREATE INDEX `requests_status_created` ON `requests` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `requests_requester_status` ON `requests` (`requester_id`,`status`);