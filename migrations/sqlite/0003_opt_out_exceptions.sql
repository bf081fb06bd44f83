CREATE TABLE `exceptions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`user_email` text,
	`resource` text NOT NULL,
	`mode` text NOT NULL,
	`duration_ms` integer NOT NULL,
	`reason` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`policy_version` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`opens_at` integer,
	`ends_at` integer,
	`warned_at` integer,
	`close_reason` text,
	`closed_at` integer,
	`closed_by` text,
	`approval_channel` text,
	`approval_ts` text,
	CONSTRAINT "exceptions_status_valid" CHECK("exceptions"."status" in ('pending', 'open', 'denied', 'closed')),
	CONSTRAINT "exceptions_mode_valid" CHECK("exceptions"."mode" in ('auto_approve', 'standing')),
	CONSTRAINT "exceptions_duration_positive" CHECK("exceptions"."duration_ms" > 0),
	CONSTRAINT "exceptions_window_valid" CHECK("exceptions"."ends_at" is null or "exceptions"."ends_at" > "exceptions"."opens_at"),
	CONSTRAINT "exceptions_open_has_window" CHECK("exceptions"."status" in ('pending', 'denied') or "exceptions"."ends_at" is not null)
);
--> statement-breakpoint
CREATE INDEX `exceptions_status_ends` ON `exceptions` (`status`,`ends_at`,`id`);--> statement-breakpoint
CREATE INDEX `exceptions_user_status` ON `exceptions` (`user_id`,`status`,`resource`);--> statement-breakpoint
CREATE UNIQUE INDEX `exceptions_one_live` ON `exceptions` (`user_id`,`resource`) WHERE "exceptions"."status" in ('pending', 'open');--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text,
	`exception_id` text,
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
	FOREIGN KEY (`exception_id`) REFERENCES `exceptions`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "grants_status_valid" CHECK("__new_grants"."status" in ('active', 'revoked', 'revoke_failed')),
	CONSTRAINT "grants_window_valid" CHECK("__new_grants"."expires_at" > "__new_grants"."granted_at"),
	CONSTRAINT "grants_have_a_source" CHECK("__new_grants"."request_id" is not null or "__new_grants"."exception_id" is not null)
);
--> statement-breakpoint
INSERT INTO `__new_grants`("id", "request_id", "exception_id", "user_id", "user_email", "resource", "reason", "granted_at", "expires_at", "status", "provisioned_at", "provision_error", "end_requested_reason", "end_requested_by", "revoke_reason", "revoked_at", "revoked_by", "revoke_error") SELECT "id", "request_id", NULL, "user_id", "user_email", "resource", "reason", "granted_at", "expires_at", "status", "provisioned_at", "provision_error", "end_requested_reason", "end_requested_by", "revoke_reason", "revoked_at", "revoked_by", "revoke_error" FROM `grants`;--> statement-breakpoint
DROP TABLE `grants`;--> statement-breakpoint
ALTER TABLE `__new_grants` RENAME TO `grants`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `grants_one_per_request` ON `grants` (`request_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `grants_one_standing_per_exception` ON `grants` (`exception_id`) WHERE "grants"."request_id" is null;--> statement-breakpoint
CREATE INDEX `grants_exception` ON `grants` (`exception_id`);--> statement-breakpoint
CREATE INDEX `grants_status_expires` ON `grants` (`status`,`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `grants_user_status` ON `grants` (`user_id`,`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `grants_end_requested` ON `grants` (`status`,`end_requested_reason`);