ALTER TABLE `audit_forwarding` ADD `delivered_hash` text;--> statement-breakpoint
ALTER TABLE `audit_forwarding` ADD `signature` text;