ALTER TABLE `licenses` ADD `product_name` text;--> statement-breakpoint
ALTER TABLE `store_products` ADD `product_name` text;