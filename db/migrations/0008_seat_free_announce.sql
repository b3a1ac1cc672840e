ALTER TABLE `sessions` ADD `seat_free_announce_at` integer;--> statement-breakpoint
CREATE INDEX `sessions_seat_free_announce_idx` ON `sessions` (`seat_free_announce_at`);