#!/usr/bin/env bash
# The demo behind `make demo`: the game project of the operations guide (one master and four
# sharding SQLite databases) built from a clean state in one command per step.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
atoll="$here/../.venv/bin/atoll"
cd "$here/game"
rm -rf server/data && mkdir -p server/data
cfg=file://config/develop/atlas.hcl

echo "== atoll migrate validate (master and sharding directories)"
"$atoll" migrate validate --dir file://db/migrations/master --dev-url "sqlite://file?mode=memory"
"$atoll" migrate validate --dir file://db/migrations/sharding --dev-url "sqlite://file?mode=memory"

echo "== atoll migrate apply --env all   (master + 4 shards, in parallel)"
"$atoll" migrate apply --config "$cfg" --env all

echo "== atoll migrate status --env all  (fleet status)"
"$atoll" migrate status --config "$cfg" --env all

echo "== atoll schema inspect --env master --format sql"
"$atoll" schema inspect --config "$cfg" --env master --format sql

venv="$(cd "$here/.." && pwd)/.venv"
cat <<NEXT

== Next: use the atoll CLI yourself
atoll is installed in $venv (not on your PATH). Either activate the environment:
    source $venv/bin/activate
    atoll --help
or call it by its path: $venv/bin/atoll --help
The example project is in examples/game (see docs/operations.md; 日本語: docs/ja/operations.md).
NEXT
