CREATE TABLE `legacy_ids` (
	`source` text NOT NULL,
	`kind` text NOT NULL,
	`legacy_id` text NOT NULL,
	`id` text NOT NULL,
	`imported_at` integer NOT NULL,
	PRIMARY KEY(`source`, `kind`, `legacy_id`)
);
