# Development: every database is a local SQLite file under server/data/.
# Paths are relative to the working directory: run atoll from examples/game/.

locals {
  data_dir = "server/data"
  dev      = "sqlite://file?mode=memory"
  shards   = ["1", "2", "3", "4"]
  master = {
    url = "sqlite://${local.data_dir}/master.db?_fk=1"
    src = "file://db/schema/master.hcl"
    dir = "file://db/migrations/master"
  }
}

# The master database.
env "master" {
  url = local.master.url
  dev = local.dev
  src = local.master.src
  migration {
    dir = local.master.dir
  }
}

# Every sharding database at once (a fleet): `atoll migrate apply --env sharding`.
# `atoll schema apply --env sharding` plans each shard against `src` and leaves the revisions
# table (atlas_schema_revisions) alone: no `exclude` is needed to keep the history.
env "sharding" {
  for_each = toset(local.shards)
  url      = "sqlite://${local.data_dir}/sharding_db_${each.value}.db?_fk=1"
  dev      = local.dev
  src      = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}

# Master plus every shard in one command: `atoll migrate apply --env all`.
env "all" {
  for_each = merge(
    { master = local.master },
    { for n in local.shards : "sharding_${n}" => {
        url = "sqlite://${local.data_dir}/sharding_db_${n}.db?_fk=1"
        src = "file://db/schema/sharding.hcl"
        dir = "file://db/migrations/sharding"
    } }
  )
  url = each.value.url
  dev = local.dev
  src = each.value.src
  migration {
    dir = each.value.dir
  }
}

# One env per shard, as the original guide names them (`--env sharding_1` …).
env "sharding_1" {
  url = "sqlite://${local.data_dir}/sharding_db_1.db?_fk=1"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_2" {
  url = "sqlite://${local.data_dir}/sharding_db_2.db?_fk=1"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_3" {
  url = "sqlite://${local.data_dir}/sharding_db_3.db?_fk=1"
  dev = local.dev
  src = "file://db/schema/sharding.hcl"
  migration {
    dir = "file://db/migrations/sharding"
  }
}
env "sharding_4" {
  url = "sqlite://${local.data_dir}/sharding_db_4.db?_fk=1"
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
