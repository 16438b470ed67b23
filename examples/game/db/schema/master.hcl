# Master database: game master data shared by every player, plus the shard directory.
schema "main" {
}

table "items" {
  schema = schema.main
  column "id" {
    null           = false
    type           = integer
    auto_increment = true
  }
  column "name" {
    null = false
    type = text
  }
  column "rarity" {
    null    = false
    type    = integer
    default = 1
  }
  column "price" {
    null    = false
    type    = integer
    default = 0
  }
  primary_key {
    columns = [column.id]
  }
  index "idx_items_name" {
    unique  = true
    columns = [column.name]
  }
  check "rarity_range" {
    expr = "rarity BETWEEN 1 AND 5"
  }
}

table "stages" {
  schema = schema.main
  column "id" {
    null           = false
    type           = integer
    auto_increment = true
  }
  column "name" {
    null = false
    type = text
  }
  column "stamina_cost" {
    null    = false
    type    = integer
    default = 10
  }
  column "reward_item_id" {
    null = true
    type = integer
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_stages_reward_item" {
    columns     = [column.reward_item_id]
    ref_columns = [table.items.column.id]
    on_update   = NO_ACTION
    on_delete   = SET_NULL
  }
}

table "shards" {
  schema = schema.main
  column "id" {
    null = false
    type = integer
  }
  column "name" {
    null = false
    type = text
  }
  column "active" {
    null    = false
    type    = bool
    default = true
  }
  primary_key {
    columns = [column.id]
  }
  index "idx_shards_name" {
    unique  = true
    columns = [column.name]
  }
}
