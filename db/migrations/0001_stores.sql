CREATE TABLE `store_customers` (
	`webhook_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text,
	`user_id` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`webhook_id`, `customer_id`),
	FOREIGN KEY (`webhook_id`) REFERENCES `webhook_tokens`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `store_customers_user_idx` ON `store_customers` (`user_id`);--> statement-breakpoint
CREATE TABLE `store_events` (
	`id` text PRIMARY KEY NOT NULL,
	`webhook_id` text NOT NULL,
	`provider` text NOT NULL,
	`event_key` text NOT NULL,
	`type` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`waiting_for` text,
	`body_sealed` text NOT NULL,
	`applied_at` integer,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhook_tokens`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `store_events_key_unique` ON `store_events` (`webhook_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `store_events_waiting_idx` ON `store_events` (`webhook_id`,`waiting_for`);--> statement-breakpoint
CREATE INDEX `store_events_status_idx` ON `store_events` (`status`,`received_at`);--> statement-breakpoint
CREATE TABLE `store_products` (
	`webhook_id` text NOT NULL,
	`external_id` text NOT NULL,
	`product_id` text NOT NULL,
	`seats_per_unit` integer NOT NULL,
	`term_days` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`webhook_id`, `external_id`),
	FOREIGN KEY (`webhook_id`) REFERENCES `webhook_tokens`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "store_products_seats_positive" CHECK("store_products"."seats_per_unit" >= 1)
);
--> statement-breakpoint
CREATE TABLE `store_refs` (
	`webhook_id` text NOT NULL,
	`alias` text NOT NULL,
	`external_ref` text NOT NULL,
	PRIMARY KEY(`webhook_id`, `alias`),
	FOREIGN KEY (`webhook_id`) REFERENCES `webhook_tokens`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `licenses` ADD `provider` text;--> statement-breakpoint
ALTER TABLE `licenses` ADD `external_ref` text;--> statement-breakpoint
ALTER TABLE `licenses` ADD `external_updated_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `licenses_external_unique` ON `licenses` (`provider`,`external_ref`);--> statement-breakpoint
ALTER TABLE `webhook_tokens` ADD `provider` text DEFAULT 'seatkey' NOT NULL;