# Staging: database locations come from environment variables, and the list of shards comes
# from the master database itself (table `shards`), so adding a shard needs no config change.
#
#   export STAGING_DATA_DIR=/srv/game/data        # where the SQLite files live
#   atoll migrate apply --config file://config/staging/atlas.hcl --env master
#   atoll migrate apply --config file://config/staging/atlas.hcl --env sharding

variable "data_dir" {
  type    = string
  default = getenv("STAGING_DATA_DIR")
}

locals {
  dev        = "sqlite://file?mode=memory"
  master_url = "sqlite://${var.data_dir}/master.db?_fk=1"
}

data "sql" "shards" {
  url   = local.master_url
  query = "SELECT name FROM shards WHERE active ORDER BY id"
}

env "master" {
  url = local.master_url
  dev = local.dev
  src = "file://db/schema/master.hcl"
  migration {
    dir = "file://db/migrations/master"
  }
}

env "sharding" {
  for_each = toset(data.sql.shards.values)
  url      = "sqlite://${var.data_dir}/${each.value}.db?_fk=1"
  dev      = local.dev
  src      = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}

# One env per shard, as the operations guide names them (`--env sharding_1` …), for
# working on a single shard; `--env sharding` covers every shard listed in `shards`.
env "sharding_1" {
  url = "sqlite://${var.data_dir}/sharding_db_1.db?_fk=1"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_2" {
  url = "sqlite://${var.data_dir}/sharding_db_2.db?_fk=1"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_3" {
  url = "sqlite://${var.data_dir}/sharding_db_3.db?_fk=1"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_4" {
  url = "sqlite://${var.data_dir}/sharding_db_4.db?_fk=1"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}

lint {
  destructive {
    error = true
  }
}
