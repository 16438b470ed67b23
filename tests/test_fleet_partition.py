"""--partition I/N and report merge, as functions: parsing, stable slicing, covering, and
merging the slices' JSON reports back into the unsliced report."""

from __future__ import annotations

import json

import pytest

from atoll.errors import AtollError
from atoll.fleet import report
from atoll.fleet.merge import merge_slices, read_slice
from atoll.fleet.partition import (
    Partition,
    cut,
    cut_all,
    fleet_digest,
    parse_partition,
    slice_of,
    sliced_json,
)
from atoll.fleet.runner import Target, TargetResult

FAILING = ("failed", "skipped", "stopped")


def fleet(n: int, prefix: str = "sharding_db_") -> list[Target]:
    return [Target(f"{prefix}{i}", f"sqlite://data/{prefix}{i}.db") for i in range(1, n + 1)]


def fake_result(t: Target) -> TargetResult:
    """A deterministic row per target, with every state and field varying."""
    n = int(t.name.rpartition("_")[2])
    state = ("ok", "failed", "skipped", "ok", "stopped")[n % 5]
    return TargetResult(t, state, version_before=f"2026{n:010d}" if n % 3 else "",
                        version_after=f"2027{n:010d}", files=n % 7, statements=n % 11,
                        seconds=n / 1000, error="boom\nline 2" if state == "failed" else "",
                        pending_files=[f"{n}_a.sql"] * (n % 3) if n % 2 else None,
                        drift_lines=['Add column "x"'] if n % 4 == 1 else None)


@pytest.mark.parametrize("text,index,count", [
    ("0/1", 0, 1), ("3/4", 3, 4), (" 2 / 8 ", 2, 8), ("0/256", 0, 256)])
def test_parse_partition(text, index, count):
    assert parse_partition(text) == Partition(index, count)


@pytest.mark.parametrize("text,message", [
    ("", "--partition is empty"),
    ("  ", "--partition is empty"),
    ("/4", "the index is empty"),
    ("2/", "the count is empty"),
    ("3", "expected INDEX/COUNT"),
    ("a/4", "expected INDEX/COUNT"),
    ("-1/4", "expected INDEX/COUNT"),
    ("1.5/4", "expected INDEX/COUNT"),
    ("0/0", "the count must be at least 1"),
    ("4/4", r"index 4 is out of range for 4 partition\(s\); indexes count from 0 \(0/4 … 3/4\)"),
])
def test_parse_partition_errors_are_one_line(text, message):
    with pytest.raises(AtollError, match=message) as info:
        parse_partition(text)
    assert "\n" not in str(info.value) and str(info.value).startswith("--partition")


def test_slice_of_is_pinned():
    # The slice of a name must never change between atoll versions or machines: runners of
    # one fleet may run different builds. These values are SHA-256 + jump consistent hash.
    got = [slice_of(f"sharding_db_{i}", 4) for i in range(1, 11)]
    assert got == PINNED_4
    assert slice_of("master", 3) == PINNED_MASTER_3
    assert all(slice_of(f"x{i}", 1) == 0 for i in range(50))


def test_every_n_up_to_256_covers_each_target_exactly_once_and_merges_to_the_whole():
    targets = fleet(120)
    whole = [fake_result(t) for t in targets]
    expected = json.loads(report.as_json(whole))
    for n in range(1, 257):
        slices = cut_all(targets, n)
        assert [s.partition for s in slices] == [Partition(i, n) for i in range(n)]
        covered = sorted(p for s in slices for p in s.positions)
        assert covered == list(range(len(targets))), n
        texts = [sliced_json(s, "migrate apply", FAILING, [fake_result(t) for t in s.targets])
                 for s in slices]
        merged = merge_slices([read_slice(f"s{i}.json", text) for i, text in enumerate(texts)])
        assert json.loads(report.as_json(merged.results)) == expected, n
        assert merged.failed


def test_cut_equals_the_matching_slice_of_cut_all():
    targets = fleet(40)
    for n in (1, 2, 3, 7, 64):
        everything = cut_all(targets, n)
        for i in range(n):
            assert cut(targets, Partition(i, n)) == everything[i]


def test_adding_a_shard_moves_no_other_shard():
    before, after = fleet(200), fleet(201)
    for n in (2, 3, 10, 37):
        old = {t.name: slice_of(t.name, n) for t in before}
        new = {t.name: slice_of(t.name, n) for t in after}
        assert all(new[name] == old[name] for name in old)


def test_adding_a_runner_moves_only_targets_onto_the_new_one():
    names = [f"sharding_db_{i}" for i in range(2000)]
    for n in (1, 4, 9):
        moved = [x for x in names if slice_of(x, n) != slice_of(x, n + 1)]
        assert all(slice_of(x, n + 1) == n for x in moved)
        assert len(moved) < 2 * len(names) / (n + 1)


def test_slices_are_roughly_even():
    counts = [len(s.targets) for s in cut_all(fleet(4000), 8)]
    assert min(counts) > 400 and max(counts) < 600, counts


def test_duplicate_env_names_hash_by_name_and_url():
    a = Target("shard[0]", "sqlite://a.db", key="shard sqlite://a.db")
    b = Target("shard[0]", "sqlite://b.db", key="shard sqlite://b.db")
    assert fleet_digest([a]) != fleet_digest([b])


def _slice_texts(targets, n, command="migrate apply", results=fake_result):
    return [sliced_json(s, command, FAILING, [results(t) for t in s.targets])
            for s in cut_all(targets, n)]


def _merge(texts, names=None):
    names = names or [f"s{i}.json" for i in range(len(texts))]
    return merge_slices([read_slice(name, text) for name, text in zip(names, texts)])


def test_merge_reports_missing_and_duplicated_slices():
    texts = _slice_texts(fleet(30), 4)
    with pytest.raises(AtollError, match=r"missing slice\(s\) 2/4$"):
        _merge([texts[0], texts[1], texts[3]])
    with pytest.raises(AtollError, match=r"slice 1/4 given 2 times \(a, b\); missing slice"
                       r"\(s\) 3/4"):
        _merge([texts[0], texts[1], texts[1], texts[2]], ["x", "a", "b", "y"])


def test_merge_refuses_slices_of_different_fleets_counts_or_commands():
    texts = _slice_texts(fleet(30), 3)
    other_fleet = _slice_texts(fleet(31), 3)
    with pytest.raises(AtollError, match="s1.json was cut from a different fleet than s0.json"
                       r" \(31 vs 30 databases\)"):
        _merge([texts[0], other_fleet[1], texts[2]])
    with pytest.raises(AtollError, match="the partition counts differ"):
        _merge([texts[0], _slice_texts(fleet(30), 4)[1], texts[2]])
    with pytest.raises(AtollError, match='reports "migrate status"'):
        _merge([texts[0], _slice_texts(fleet(30), 3, "migrate status")[1], texts[2]])


def test_merge_detects_overlapping_rows():
    texts = _slice_texts(fleet(30), 2)
    data = json.loads(texts[1])
    first = json.loads(texts[0])
    data["Databases"][0] = first["Databases"][0]
    with pytest.raises(AtollError, match=r'database "sharding_db_\d+" is in slice 0/2 '
                       r"\(s0.json\) and in slice 1/2 \(s1.json\)"):
        _merge([texts[0], json.dumps(data)])


def test_merge_detects_a_slice_that_lost_rows():
    texts = _slice_texts(fleet(30), 2)
    data = json.loads(texts[1])
    data["Databases"].pop()
    with pytest.raises(AtollError, match=r"s1.json: \d+ database row\(s\) but \d+ position"):
        _merge([texts[0], json.dumps(data)])
    data["Partition"]["Positions"].pop()
    with pytest.raises(AtollError, match=r"the slices hold 29 of the fleet's 30 databases"):
        _merge([texts[0], json.dumps(data)])


@pytest.mark.parametrize("text,message", [
    ("not json", "s.json: not a JSON report"),
    ("[]", "s.json: a fleet report without partition information"),
    ('{"a": 1}', 's.json: not a sliced fleet report'),
    ('{"Partition": {}, "Databases": []}', 's.json: "Partition" lacks or mistypes'),
    ('{"Partition": {"Index": 3, "Count": 3, "Command": "x", "FleetSize": 0, "FleetDigest": "",'
     ' "Positions": [], "Failing": []}, "Databases": []}', "invalid index"),
    ('{"Partition": {"Index": 0, "Count": 1, "Command": "x", "FleetSize": 1, "FleetDigest": "",'
     ' "Positions": [0], "Failing": []}, "Databases": [{"Name": "a"}]}',
     'database row 1: missing or mistyped "URL"'),
    ('{"Partition": {"Index": 0, "Count": 1, "Command": "x", "FleetSize": 1, "FleetDigest": "",'
     ' "Positions": [0], "Failing": []}, "Databases": [7]}', "database row 1 is not an object"),
])
def test_read_slice_errors(text, message):
    with pytest.raises(AtollError, match=message):
        read_slice("s.json", text)


def test_merged_exit_status_follows_the_slices_failing_states():
    ok = _merge(_slice_texts(fleet(12), 3, results=lambda t: TargetResult(t, "ok")))
    assert not ok.failed
    behind = _merge(_slice_texts(fleet(12), 3, results=lambda t: TargetResult(t, "skipped")))
    assert behind.failed


PINNED_4 = [2, 3, 3, 2, 0, 3, 1, 1, 1, 0]
PINNED_MASTER_3 = 1
