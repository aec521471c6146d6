ALTER TYPE "public"."login_throttle_scope" ADD VALUE 'ip_email';--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" varchar(255) PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "site_spend" (
	"site_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"day" date NOT NULL,
	"reserved_usd" numeric(14, 8) DEFAULT '0' NOT NULL,
	"spent_usd" numeric(14, 8) DEFAULT '0' NOT NULL,
	CONSTRAINT "site_spend_site_id_day_pk" PRIMARY KEY("site_id","day")
);
--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "rate_limits" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "daily_budget_usd" numeric(12, 4);--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "monthly_budget_usd" numeric(12, 4);--> statement-breakpoint
ALTER TABLE "site_spend" ADD CONSTRAINT "site_spend_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_spend" ADD CONSTRAINT "site_spend_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rate_limits_expire_idx" ON "rate_limits" USING btree ("expire");