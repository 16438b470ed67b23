-- Create "users" table
CREATE TABLE `users` (`id` integer NOT NULL, `name` text NOT NULL, `level` integer NOT NULL DEFAULT 1, `stamina` integer NOT NULL DEFAULT 100, `created_at` datetime NOT NULL DEFAULT (CURRENT_TIMESTAMP), PRIMARY KEY (`id`));
-- Create "user_items" table
CREATE TABLE `user_items` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `user_id` integer NOT NULL, `item_id` integer NOT NULL, `quantity` integer NOT NULL DEFAULT 1, CONSTRAINT `fk_user_items_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "idx_user_items_user_item" to table: "user_items"
CREATE UNIQUE INDEX `idx_user_items_user_item` ON `user_items` (`user_id`, `item_id`);
-- Create "user_stages" table
CREATE TABLE `user_stages` (`user_id` integer NOT NULL, `stage_id` integer NOT NULL, `stars` integer NOT NULL DEFAULT 0, `cleared_at` datetime NULL, PRIMARY KEY (`user_id`, `stage_id`), CONSTRAINT `fk_user_stages_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON UPDATE NO ACTION ON DELETE CASCADE);
