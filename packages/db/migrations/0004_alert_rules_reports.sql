CREATE TYPE "public"."alert_rule_kind" AS ENUM('p95_total_above', 'error_rate_above', 'background_lag_above', 'daily_cost_above');--> statement-breakpoint
CREATE TABLE "alert_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"kind" "alert_rule_kind" NOT NULL,
	"threshold" numeric(14, 4) NOT NULL,
	"for_minutes" integer,
	"enabled" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "alert_rules_org_kind_key" UNIQUE("organization_id","kind"),
	CONSTRAINT "alert_rules_threshold_positive" CHECK ("alert_rules"."threshold" > 0),
	CONSTRAINT "alert_rules_window" CHECK (("alert_rules"."kind" = 'daily_cost_above') = ("alert_rules"."for_minutes" is null))
);
--> statement-breakpoint
CREATE TABLE "daily_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"day" date NOT NULL,
	"generated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"body" jsonb NOT NULL,
	CONSTRAINT "daily_reports_org_day_key" UNIQUE("organization_id","day")
);
--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_updated_by_admin_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."admin_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_reports" ADD CONSTRAINT "daily_reports_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_rule_key" ON "alerts" USING btree ("organization_id","rule") WHERE "alerts"."ended_at" is null;