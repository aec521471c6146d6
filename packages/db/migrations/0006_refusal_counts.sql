CREATE TABLE "refusal_counts" (
	"site_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"reason" varchar(32) NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "refusal_counts_site_id_minute_reason_pk" PRIMARY KEY("site_id","minute","reason")
);
--> statement-breakpoint
ALTER TABLE "refusal_counts" ADD CONSTRAINT "refusal_counts_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refusal_counts" ADD CONSTRAINT "refusal_counts_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "refusal_counts_org_minute_idx" ON "refusal_counts" USING btree ("organization_id","minute");