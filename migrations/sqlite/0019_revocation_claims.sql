ALTER TABLE `grants` ADD `revoke_claimed_by` text;--> statement-breakpoint
ALTER TABLE `grants` ADD `revoke_claim_until` integer;