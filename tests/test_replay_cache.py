"""The replay cache of migrate diff and migrate lint: a hit gives what a replay gives, any
change to the replayed files misses, a corrupt entry is ignored, the size stays bounded, and
nothing is written into the project."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "migrate"))
from e2e_support import atoll, ok
from migsupport import make_dir

from atoll.migrate import load_dir, replay
from atoll.migrate import replay_cache
from atoll.states import dev_database

DEV = "sqlite://cachetest?mode=memory"
FILES = {
    "1_users.sql": "CREATE TABLE users (id integer PRIMARY KEY, name text);\n",
    "2_seed.sql": "".join(f"INSERT INTO users (name) VALUES ('u{i}');\n" for i in range(50)),
    "3_pets.sql": "CREATE TABLE pets (id integer PRIMARY KEY, owner integer);\n",
}
SCHEMA = ('schema "main" {}\n'
          'table "users" {\n  schema = schema.main\n'
          '  column "id" {\n    null = true\n    type = integer\n  }\n'
          '  column "name" {\n    null = true\n    type = text\n  }\n'
          '  column "email" {\n    null = true\n    type = text\n  }\n'
          '  primary_key {\n    columns = [column.id]\n  }\n}\n')


@pytest.fixture
def cache_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(replay_cache.ENV, raising=False)
    return home


def entries(home: Path) -> list[Path]:
    d = home / "atoll" / "replay"
    return sorted(d.glob("*.db")) if d.exists() else []


def replay_counting(d: Path) -> tuple[int, list[tuple], bool]:
    """Replay ``d`` with the cache; how many statements really ran, the rows, and whether
    the state came from the cache."""
    ran = []
    with dev_database(DEV) as (dialect, conn):
        real = conn.execute
        conn.execute = lambda sql, params=(): (ran.append(sql), real(sql, params))[1]
        before = len(entries(Path(os.environ["XDG_CACHE_HOME"])))
        replay(conn, dialect, d, validate=False, cache=True)
        conn.execute = real
        got = conn.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        got += conn.query("SELECT count(*) FROM users")
    hit = not ran and before > 0
    return len(ran), got, hit


def test_second_replay_comes_from_the_cache(tmp_path, cache_home):
    d = make_dir(tmp_path, FILES)
    n1, state1, hit1 = replay_counting(d)
    n2, state2, hit2 = replay_counting(d)
    assert n1 == 52 and not hit1
    assert n2 == 0 and hit2
    assert state1 == state2 == [("pets",), ("users",), (50,)]
    assert len(entries(cache_home)) == 1
    assert not [p for p in tmp_path.rglob("*") if "cache" not in p.parts and
                p.suffix == ".db"], "the cache wrote into the project"


@pytest.mark.parametrize("change", ["edit", "reorder", "new", "remove"])
def test_any_change_to_the_files_misses(tmp_path, cache_home, change):
    d = make_dir(tmp_path, FILES)
    replay_counting(d)
    files = dict(FILES)
    if change == "edit":
        files["2_seed.sql"] = files["2_seed.sql"].replace("'u1'", "'v1'")
    elif change == "reorder":  # same contents, other versions
        files = {"1_users.sql": FILES["1_users.sql"], "2_pets.sql": FILES["3_pets.sql"],
                 "3_seed.sql": FILES["2_seed.sql"]}
    elif change == "new":
        files["4_more.sql"] = "CREATE TABLE more (x int);\n"
    else:
        del files["3_pets.sql"]
    for p in d.iterdir():
        p.unlink()
    d = make_dir(tmp_path, files)
    n, state, hit = replay_counting(d)
    assert not hit and n > 0
    assert len(entries(cache_home)) == 2
    if change == "edit":
        assert n == 52
    if change == "remove":
        assert state == [("users",), (50,)]


def test_corrupt_entry_is_ignored_and_replaced(tmp_path, cache_home):
    d = make_dir(tmp_path, FILES)
    replay_counting(d)
    (entry,) = entries(cache_home)
    data = entry.read_bytes()
    entry.write_bytes(data[:len(data) // 2] + b"\0garbage" * 10)  # torn, overwritten
    n, state, hit = replay_counting(d)
    assert not hit and n == 52 and state == [("pets",), ("users",), (50,)]
    assert entry.read_bytes() == data  # written again, whole
    entry.write_bytes(b"not a cache entry at all")
    assert replay_counting(d)[1] == state


def test_cache_can_be_turned_off(tmp_path, cache_home, monkeypatch):
    monkeypatch.setenv(replay_cache.ENV, "0")
    d = make_dir(tmp_path, FILES)
    assert replay_counting(d)[0] == 52
    assert replay_counting(d)[0] == 52
    assert entries(cache_home) == []


def test_size_is_bounded_least_recently_used_first(tmp_path, cache_home):
    d = load_dir(make_dir(tmp_path, FILES))
    root = cache_home / "atoll" / "replay"
    root.mkdir(parents=True)
    for i, age in enumerate((300, 200, 100)):
        p = root / f"{i}.db"
        p.write_bytes(b"x" * 1000)
        os.utime(p, (p.stat().st_atime - age, p.stat().st_mtime - age))
    keep = root / "new.db"
    keep.write_bytes(b"y" * 1000)
    replay_cache._prune(str(root), keep=str(keep), max_bytes=2500)
    assert sorted(p.name for p in root.glob("*.db")) == ["2.db", "new.db"]
    assert d.files  # (the directory itself is untouched)


def test_migrate_diff_and_lint_give_the_same_output_from_the_cache(tmp_path, cache_home):
    env = {"XDG_CACHE_HOME": str(cache_home)}
    make_dir(tmp_path, FILES)
    (tmp_path / "schema.hcl").write_text(SCHEMA)
    lint = ["migrate", "lint", "--dir", "file://migrations", "--dev-url", DEV, "--latest", "1"]
    outs = []
    for run in range(2):
        r = ok(atoll(tmp_path, *lint, env=env))
        outs.append(re.sub(r"\d+(\.\d+)?(ns|µs|ms|s)\b", "«d»", r.out))
        assert len(entries(cache_home)) == 1  # the lint base: files 1 and 2
    assert outs[0] == outs[1]
    written = []
    for run in range(2):
        ok(atoll(tmp_path, "migrate", "diff", "add_email", "--dir", "file://migrations",
                 "--dev-url", DEV, "--to", "file://schema.hcl", env=env))
        new = sorted((tmp_path / "migrations").glob("*_add_email.sql"))[-1]
        written.append(new.read_text())
        new.unlink()
        ok(atoll(tmp_path, "migrate", "hash", "--dir", "file://migrations", env=env))
    assert written[0] == written[1]
    assert "ADD COLUMN `email` text NULL" in written[0] and "pets" in written[0]
    assert len(entries(cache_home)) == 2  # + the whole directory
