CREATE TABLE "audit_chain_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_chain_head_single" CHECK ("audit_chain_head"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"resource" text,
	"reason" text,
	"details" text DEFAULT '{}' NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_forwarding" (
	"stream" text PRIMARY KEY NOT NULL,
	"delivered_seq" bigint NOT NULL,
	"delivered_hash" text,
	"signature" text,
	"last_error" text,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "break_glass_uses" (
	"grant_id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"user_id" text NOT NULL,
	"resource" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" bigint NOT NULL,
	"security_channel" text,
	"security_ts" text,
	"resource_channel" text,
	"resource_ts" text,
	"reminded_at" bigint,
	"acknowledged_at" bigint,
	"acknowledged_by" text
);
--> statement-breakpoint
CREATE TABLE "drift_findings" (
	"id" text PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"resource" text NOT NULL,
	"kind" text NOT NULL,
	"identity" text NOT NULL,
	"grant_id" text,
	"user_id" text,
	"found_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"alerted_at" bigint,
	"resolved_at" bigint,
	"resolution" text,
	CONSTRAINT "drift_kind_valid" CHECK ("drift_findings"."kind" in ('unmanaged', 'missing'))
);
--> statement-breakpoint
CREATE TABLE "exceptions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"user_email" text,
	"resource" text NOT NULL,
	"mode" text NOT NULL,
	"duration_ms" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"policy_version" text NOT NULL,
	"created_at" bigint NOT NULL,
	"decided_at" bigint,
	"decided_by" text,
	"opens_at" bigint,
	"ends_at" bigint,
	"warned_at" bigint,
	"close_reason" text,
	"closed_at" bigint,
	"closed_by" text,
	"approval_channel" text,
	"approval_ts" text,
	CONSTRAINT "exceptions_status_valid" CHECK ("exceptions"."status" in ('pending', 'open', 'denied', 'closed')),
	CONSTRAINT "exceptions_mode_valid" CHECK ("exceptions"."mode" in ('auto_approve', 'standing')),
	CONSTRAINT "exceptions_duration_positive" CHECK ("exceptions"."duration_ms" > 0),
	CONSTRAINT "exceptions_window_valid" CHECK ("exceptions"."ends_at" is null or "exceptions"."ends_at" > "exceptions"."opens_at"),
	CONSTRAINT "exceptions_open_has_window" CHECK ("exceptions"."status" in ('pending', 'denied') or "exceptions"."ends_at" is not null)
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text,
	"exception_id" text,
	"user_id" text NOT NULL,
	"user_email" text,
	"resource" text NOT NULL,
	"reason" text NOT NULL,
	"granted_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"provisioned_at" bigint,
	"provision_error" text,
	"end_requested_reason" text,
	"end_requested_by" text,
	"end_requested_at" bigint,
	"revoke_reason" text,
	"revoked_at" bigint,
	"revoked_by" text,
	"revoke_error" text,
	"revoke_alerted_at" bigint,
	"revoke_alert_channel" text,
	"revoke_alert_ts" text,
	"warned_at" bigint,
	"extensions" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "grants_status_valid" CHECK ("grants"."status" in ('active', 'provision_failed', 'revoked', 'revoke_failed')),
	CONSTRAINT "grants_window_valid" CHECK ("grants"."expires_at" > "grants"."granted_at"),
	CONSTRAINT "grants_have_a_source" CHECK ("grants"."request_id" is not null or "grants"."exception_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "home_viewers" (
	"user_id" text PRIMARY KEY NOT NULL,
	"opened_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"version" text PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"first_loaded_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "request_approvals" (
	"request_id" text NOT NULL,
	"approver_id" text NOT NULL,
	"stage" integer NOT NULL,
	"approved_at" bigint NOT NULL,
	CONSTRAINT "request_approvals_request_id_approver_id_pk" PRIMARY KEY("request_id","approver_id")
);
--> statement-breakpoint
CREATE TABLE "requests" (
	"id" text PRIMARY KEY NOT NULL,
	"requester_id" text NOT NULL,
	"requester_email" text,
	"resource" text NOT NULL,
	"duration_ms" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"policy_version" text NOT NULL,
	"created_at" bigint NOT NULL,
	"decided_at" bigint,
	"decided_by" text,
	"approval_channel" text,
	"approval_ts" text,
	"escalated_at" bigint,
	"starts_at" bigint,
	"extends_grant_id" text,
	CONSTRAINT "requests_status_valid" CHECK ("requests"."status" in ('pending', 'approved', 'denied', 'cancelled', 'lapsed')),
	CONSTRAINT "requests_duration_positive" CHECK ("requests"."duration_ms" > 0)
);
--> statement-breakpoint
CREATE TABLE "review_decisions" (
	"review_id" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"decision" text NOT NULL,
	"decided_by" text NOT NULL,
	"decided_at" bigint NOT NULL,
	"note" text,
	CONSTRAINT "review_decisions_review_id_subject_id_pk" PRIMARY KEY("review_id","subject_id"),
	CONSTRAINT "review_decisions_decision_valid" CHECK ("review_decisions"."decision" in ('keep', 'revoke'))
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"since" bigint NOT NULL,
	"until" bigint NOT NULL,
	"report" text NOT NULL,
	"channel" text,
	"message_ts" text,
	CONSTRAINT "reviews_trigger_valid" CHECK ("reviews"."trigger" in ('schedule', 'slack', 'cli'))
);
--> statement-breakpoint
CREATE TABLE "slack_deliveries" (
	"key" text PRIMARY KEY NOT NULL,
	"seen_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "break_glass_uses" ADD CONSTRAINT "break_glass_uses_grant_id_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "break_glass_uses" ADD CONSTRAINT "break_glass_uses_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grants" ADD CONSTRAINT "grants_exception_id_exceptions_id_fk" FOREIGN KEY ("exception_id") REFERENCES "public"."exceptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_approvals" ADD CONSTRAINT "request_approvals_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_subject" ON "audit_events" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "audit_at" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_one_successor" ON "audit_events" USING btree ("prev_hash");--> statement-breakpoint
CREATE INDEX "break_glass_unacknowledged" ON "break_glass_uses" USING btree ("acknowledged_at","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "drift_one_open" ON "drift_findings" USING btree ("target","kind","identity") WHERE "drift_findings"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "drift_open" ON "drift_findings" USING btree ("resolved_at","found_at");--> statement-breakpoint
CREATE INDEX "exceptions_status_ends" ON "exceptions" USING btree ("status","ends_at","id");--> statement-breakpoint
CREATE INDEX "exceptions_user_status" ON "exceptions" USING btree ("user_id","status","resource");--> statement-breakpoint
CREATE UNIQUE INDEX "exceptions_one_live" ON "exceptions" USING btree ("user_id","resource") WHERE "exceptions"."status" in ('pending', 'open');--> statement-breakpoint
CREATE UNIQUE INDEX "grants_one_per_request" ON "grants" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "grants_one_standing_per_exception" ON "grants" USING btree ("exception_id") WHERE "grants"."request_id" is null;--> statement-breakpoint
CREATE INDEX "grants_exception" ON "grants" USING btree ("exception_id");--> statement-breakpoint
CREATE INDEX "grants_status_expires" ON "grants" USING btree ("status","expires_at","id");--> statement-breakpoint
CREATE INDEX "grants_user_status" ON "grants" USING btree ("user_id","status","expires_at");--> statement-breakpoint
CREATE INDEX "grants_end_requested" ON "grants" USING btree ("status","end_requested_reason");--> statement-breakpoint
CREATE UNIQUE INDEX "requests_one_pending_extension" ON "requests" USING btree ("extends_grant_id") WHERE "requests"."status" = 'pending' and "requests"."extends_grant_id" is not null;--> statement-breakpoint
CREATE INDEX "requests_status_created" ON "requests" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "requests_requester_status" ON "requests" USING btree ("requester_id","status");--> statement-breakpoint
CREATE INDEX "requests_status_rules" ON "requests" USING btree ("status","resource","policy_version","created_at");--> statement-breakpoint
CREATE INDEX "reviews_created" ON "reviews" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "slack_deliveries_seen_at" ON "slack_deliveries" USING btree ("seen_at");