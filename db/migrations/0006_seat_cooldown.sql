ALTER TABLE `sessions` ADD `seat_token_expires_at` integer;
--> statement-breakpoint
-- Sessions seated before a seat was a seat of one product: give each the product of the user's
-- longest-running license (a refresh then re-evaluates it there), and let its current access
-- token (issued at its last use, default ACCESS_TOKEN_TTL of 600 s) count until it expires.
UPDATE `sessions` SET `product_id` = (
  SELECT `product_id` FROM `licenses` WHERE `licenses`.`user_id` = `sessions`.`user_id`
  ORDER BY `valid_until` DESC LIMIT 1
) WHERE `kind` = 'app' AND `product_id` IS NULL AND `limited` = 0;
--> statement-breakpoint
UPDATE `sessions` SET `seat_token_expires_at` = `last_used_at` + 600000 WHERE `kind` = 'app' AND `limited` = 0;
