-- Create "items" table
CREATE TABLE `items` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `name` text NOT NULL, `rarity` integer NOT NULL DEFAULT 1, `price` integer NOT NULL DEFAULT 0, CONSTRAINT `rarity_range` CHECK (rarity BETWEEN 1 AND 5));
-- Create index "idx_items_name" to table: "items"
CREATE UNIQUE INDEX `idx_items_name` ON `items` (`name`);
-- Create "stages" table
CREATE TABLE `stages` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `name` text NOT NULL, `stamina_cost` integer NOT NULL DEFAULT 10, `reward_item_id` integer NULL, CONSTRAINT `fk_stages_reward_item` FOREIGN KEY (`reward_item_id`) REFERENCES `items` (`id`) ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create "shards" table
CREATE TABLE `shards` (`id` integer NOT NULL, `name` text NOT NULL, `active` bool NOT NULL DEFAULT true, PRIMARY KEY (`id`));
-- Create index "idx_shards_name" to table: "shards"
CREATE UNIQUE INDEX `idx_shards_name` ON `shards` (`name`);
