ALTER TABLE "grants" ADD COLUMN "revoke_claimed_by" text;--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "revoke_claim_until" bigint;