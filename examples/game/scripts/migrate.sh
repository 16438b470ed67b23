#!/usr/bin/env bash
# The operations guide's wrapper: `./scripts/migrate.sh all | master | sharding`, run from the
# project directory (examples/game). One atoll command per target instead of a shell loop:
# `all` and `sharding` migrate every database in parallel and print one table.
#
#   ATLAS_ENV=staging ./scripts/migrate.sh all     # config/staging/atlas.hcl (default: develop)
#   ATOLL=/path/to/atoll ./scripts/migrate.sh all  # which atoll to run
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ -z "${ATOLL:-}" ]]; then
  if [[ -x "$here/../../../.venv/bin/atoll" ]]; then ATOLL="$here/../../../.venv/bin/atoll"
  else ATOLL=atoll; fi
fi
config="file://config/${ATLAS_ENV:-develop}/atlas.hcl"
target="${1:-all}"
case "$target" in
  all|master|sharding) ;;
  *) echo "usage: $0 all | master | sharding" >&2; exit 2 ;;
esac
if [[ "$target" == all && "${ATLAS_ENV:-develop}" != develop ]]; then
  # staging/production list their shards from the master database: migrate it first.
  "$ATOLL" migrate apply --config "$config" --env master
  exec "$ATOLL" migrate apply --config "$config" --env sharding
fi
exec "$ATOLL" migrate apply --config "$config" --env "$target"
