DROP INDEX `grants_status_expires`;--> statement-breakpoint
DROP INDEX `grants_user_status`;--> statement-breakpoint
CREATE INDEX `grants_end_requested` ON `grants` (`status`,`end_requested_reason`);--> statement-breakpoint
CREATE INDEX `grants_status_expires` ON `grants` (`status`,`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `grants_user_status` ON `grants` (`user_id`,`status`,`expires_at`);