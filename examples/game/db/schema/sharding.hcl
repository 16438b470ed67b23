# Sharding databases: every shard holds a slice of the players and carries this same schema.
schema "main" {
}

table "users" {
  schema = schema.main
  column "id" {
    null = false
    type = integer
  }
  column "name" {
    null = false
    type = text
  }
  column "level" {
    null    = false
    type    = integer
    default = 1
  }
  column "stamina" {
    null    = false
    type    = integer
    default = 100
  }
  column "last_login_at" {
    null = true
    type = datetime
  }
  column "created_at" {
    null    = false
    type    = datetime
    default = sql("CURRENT_TIMESTAMP")
  }
  primary_key {
    columns = [column.id]
  }
}

table "user_items" {
  schema = schema.main
  column "id" {
    null           = false
    type           = integer
    auto_increment = true
  }
  column "user_id" {
    null = false
    type = integer
  }
  column "item_id" {
    null = false
    type = integer
  }
  column "quantity" {
    null    = false
    type    = integer
    default = 1
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_user_items_user" {
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
    on_update   = NO_ACTION
    on_delete   = CASCADE
  }
  index "idx_user_items_user_item" {
    unique  = true
    columns = [column.user_id, column.item_id]
  }
}

table "user_stages" {
  schema = schema.main
  column "user_id" {
    null = false
    type = integer
  }
  column "stage_id" {
    null = false
    type = integer
  }
  column "stars" {
    null    = false
    type    = integer
    default = 0
  }
  column "cleared_at" {
    null = true
    type = datetime
  }
  primary_key {
    columns = [column.user_id, column.stage_id]
  }
  foreign_key "fk_user_stages_user" {
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
    on_update   = NO_ACTION
    on_delete   = CASCADE
  }
}
