ALTER TABLE `grants` ADD `warned_at` integer;--> statement-breakpoint
ALTER TABLE `grants` ADD `extensions` integer DEFAULT 0 NOT NULL;