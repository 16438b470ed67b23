-- Master data and the shard directory (written by hand: migrate diff sees schema only).
INSERT INTO `items` (`id`, `name`, `rarity`, `price`) VALUES
  (1, 'Potion', 1, 50),
  (2, 'Hi-Potion', 2, 200),
  (3, 'Elixir', 4, 1500),
  (4, 'Phoenix Down', 3, 800);
INSERT INTO `stages` (`id`, `name`, `stamina_cost`, `reward_item_id`) VALUES
  (1, 'Forest Gate', 5, 1),
  (2, 'Old Mine', 10, 2),
  (3, 'Dragon Peak', 25, 3);
INSERT INTO `shards` (`id`, `name`, `active`) VALUES
  (1, 'sharding_db_1', true),
  (2, 'sharding_db_2', true),
  (3, 'sharding_db_3', true),
  (4, 'sharding_db_4', true);
