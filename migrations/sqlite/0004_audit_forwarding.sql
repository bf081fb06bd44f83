CREATE TABLE `audit_forwarding` (
	`stream` text PRIMARY KEY NOT NULL,
	`delivered_seq` integer NOT NULL,
	`last_error` text,
	`updated_at` integer NOT NULL
);
