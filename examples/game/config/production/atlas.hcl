# Production: like staging, with a staged rollout. Always look first:
#
#   export PRODUCTION_DATA_DIR=/srv/game/data
#   atoll migrate apply --config file://config/production/atlas.hcl --env master --dry-run
#   atoll migrate apply --config file://config/production/atlas.hcl --env master
#   atoll migrate apply --config file://config/production/atlas.hcl --env sharding --dry-run
#   atoll migrate apply --config file://config/production/atlas.hcl --env sharding
#
# `backup_dir` makes atoll copy every SQLite database aside before it applies the first
# pending file to it; `data_loss = "refuse"` leaves untouched any database on which a pending
# statement would drop rows or values or break a new constraint (counted on that database).
# Add --preflight to try every database first and change none unless all pass. Atlas ignores
# both attributes; see docs/operations.md, "Production".

variable "data_dir" {
  type    = string
  default = getenv("PRODUCTION_DATA_DIR")
}

locals {
  dev        = "sqlite://file?mode=memory"
  master_url = "sqlite://${var.data_dir}/master.db?_fk=1"
}

data "sql" "shards" {
  url   = local.master_url
  query = "SELECT name FROM shards WHERE active ORDER BY id"
}

# Canary first: one shard alone; if it fails, nothing else is touched. Then the rest, four at
# a time, stopping at the first failure.
deployment "staged" {
  group "canary" {
    match    = ["sharding_db_1"]
    parallel = 1
    on_error = FAIL
  }
  group "rest" {
    match    = ["*"]
    parallel = 4
    on_error = FAIL
  }
}

env "master" {
  url        = local.master_url
  backup_dir = "${var.data_dir}/backups"
  data_loss  = "refuse"
  dev = local.dev
  src = "file://db/schema/master.hcl"
  migration {
    dir = "file://db/migrations/master"
  }
}

env "sharding" {
  for_each   = toset(data.sql.shards.values)
  url        = "sqlite://${var.data_dir}/${each.value}.db?_fk=1"
  dev        = local.dev
  src        = "file://db/schema/sharding.hcl"
  deployment = deployment.staged
  backup_dir = "${var.data_dir}/backups"
  data_loss  = "refuse"
  migration {
    dir = "file://db/migrations/sharding"
  }
}

# One env per shard, as the operations guide names them (`--env sharding_1` …), for
# working on a single shard; `--env sharding` covers every shard listed in `shards`.
env "sharding_1" {
  url        = "sqlite://${var.data_dir}/sharding_db_1.db?_fk=1"
  backup_dir = "${var.data_dir}/backups"
  data_loss  = "refuse"
  dev        = local.dev
  src        = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_2" {
  url        = "sqlite://${var.data_dir}/sharding_db_2.db?_fk=1"
  backup_dir = "${var.data_dir}/backups"
  data_loss  = "refuse"
  dev        = local.dev
  src        = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_3" {
  url        = "sqlite://${var.data_dir}/sharding_db_3.db?_fk=1"
  backup_dir = "${var.data_dir}/backups"
  data_loss  = "refuse"
  dev        = local.dev
  src        = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_4" {
  url        = "sqlite://${var.data_dir}/sharding_db_4.db?_fk=1"
  backup_dir = "${var.data_dir}/backups"
  data_loss  = "refuse"
  dev        = local.dev
  src        = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}

lint {
  destructive {
    error = true
  }
}
