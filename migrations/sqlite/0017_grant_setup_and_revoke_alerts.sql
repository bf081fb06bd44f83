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
	`end_requested_at` integer,
	`revoke_reason` text,
	`revoked_at` integer,
	`revoked_by` text,
	`revoke_error` text,
	`revoke_alerted_at` integer,
	`revoke_alert_channel` text,
	`revoke_alert_ts` text,
	`warned_at` integer,
	`extensions` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`exception_id`) REFERENCES `exceptions`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "grants_status_valid" CHECK("__new_grants"."status" in ('active', 'provision_failed', 'revoked', 'revoke_failed')),
	CONSTRAINT "grants_window_valid" CHECK("__new_grants"."expires_at" > "__new_grants"."granted_at"),
	CONSTRAINT "grants_have_a_source" CHECK("__new_grants"."request_id" is not null or "__new_grants"."exception_id" is not null)
);
--> statement-breakpoint
INSERT INTO `__new_grants`("id", "request_id", "exception_id", "user_id", "user_email", "resource", "reason", "granted_at", "expires_at", "status", "provisioned_at", "provision_error", "end_requested_reason", "end_requested_by", "end_requested_at", "revoke_reason", "revoked_at", "revoked_by", "revoke_error", "revoke_alerted_at", "revoke_alert_channel", "revoke_alert_ts", "warned_at", "extensions") SELECT "id", "request_id", "exception_id", "user_id", "user_email", "resource", "reason", "granted_at", "expires_at", "status", "provisioned_at", "provision_error", "end_requested_reason", "end_requested_by", NULL, "revoke_reason", "revoked_at", "revoked_by", "revoke_error", NULL, NULL, NULL, "warned_at", "extensions" FROM `grants`;--> statement-breakpoint
DROP TABLE `grants`;--> statement-breakpoint
ALTER TABLE `__new_grants` RENAME TO `grants`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `grants_one_per_request` ON `grants` (`request_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `grants_one_standing_per_exception` ON `grants` (`exception_id`) WHERE "grants"."request_id" is null;--> statement-breakpoint
CREATE INDEX `grants_exception` ON `grants` (`exception_id`);--> statement-breakpoint
CREATE INDEX `grants_status_expires` ON `grants` (`status`,`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `grants_user_status` ON `grants` (`user_id`,`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `grants_end_requested` ON `grants` (`status`,`end_requested_reason`);--> statement-breakpoint
-- Hand-written: a grant whose setup jitbot already gave up on (its grant.provision_failed event) is provision_failed.
UPDATE `grants` SET `status` = 'provision_failed'
WHERE `status` = 'active' AND `provisioned_at` IS NULL
  AND EXISTS (SELECT 1 FROM `audit_events` WHERE `subject_type` = 'grant' AND `subject_id` = `grants`.`id` AND `action` = 'grant.provision_failed');
