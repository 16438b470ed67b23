"""The fleet runner's scheduling: order, parallel limit, fail-fast with a stop at the next file
boundary, continue-on-error, staged groups."""

from __future__ import annotations

import threading
import time

from atoll.dialects.sqlite import DIALECT
from atoll.dialects.sqlite.connection import SQLiteConnection
from atoll.fleet.runner import (
    FleetOptions,
    Target,
    TargetResult,
    run_fleet,
    run_groups,
    stop_requested,
)
from atoll.migrate import apply, hash_dir
from atoll.urls import parse_url


def targets(n):
    return [Target(f"db{i}", f"sqlite://db{i}.db") for i in range(n)]


def test_results_in_target_order_and_parallel_limit():
    running, peak, lock = [0], [0], threading.Lock()

    def job(t, step):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return TargetResult(t, "ok")

    results = run_fleet(targets(9), job, FleetOptions(parallel=3))
    assert [r.target.name for r in results] == [f"db{i}" for i in range(9)]
    assert peak[0] <= 3 and all(r.state == "ok" for r in results)


def test_fail_fast_stops_running_jobs_at_their_next_boundary_and_skips_the_rest():
    started_b = threading.Event()

    def job(t, step):
        if t.name == "db0":
            started_b.wait(5)
            return TargetResult(t, "failed", error="boom")
        if t.name == "db1":
            started_b.set()
            for _unit in range(500):  # a long run of files; it looks between files
                if stop_requested():
                    return TargetResult(t, "stopped")
                time.sleep(0.01)
            return TargetResult(t, "ok")
        return TargetResult(t, "ok")

    results = run_fleet(targets(4), job, FleetOptions(parallel=2))
    assert [r.state for r in results] == ["failed", "stopped", "skipped", "skipped"]


def test_continue_on_error_runs_everything():
    def job(t, step):
        return TargetResult(t, "failed" if t.name == "db1" else "ok", error="x")

    results = run_fleet(targets(4), job, FleetOptions(parallel=1, continue_on_error=True))
    assert [r.state for r in results] == ["ok", "failed", "ok", "ok"]


def test_exceptions_become_failed_rows():
    def job(t, step):
        raise RuntimeError("driver exploded")

    (result,) = run_fleet(targets(1), job, FleetOptions())
    assert result.state == "failed" and "driver exploded" in result.error


def test_a_failed_canary_group_stops_the_rollout():
    def job(t, step):
        return TargetResult(t, "failed" if t.name == "db0" else "ok")

    all_targets = targets(3)
    results = run_groups([("canary", all_targets[:1], FleetOptions(parallel=1)),
                          ("rest", all_targets[1:], FleetOptions(parallel=2))], job)
    assert [r.state for r in results] == ["failed", "skipped", "skipped"]


def test_max_failures_halts_the_group_and_the_rollout():
    def job(t, step):
        return TargetResult(t, "failed" if t.name in ("db1", "db2", "db4") else "ok")

    group = FleetOptions(parallel=1, continue_on_error=True, max_failures=2)
    all_targets = targets(7)
    results = run_groups([("wave1", all_targets[:5], group),
                          ("wave2", all_targets[5:], FleetOptions(parallel=1))], job)
    assert [r.state for r in results] == ["ok", "failed", "failed"] + ["skipped"] * 4
    assert {r.error for r in results[3:5]} == {"not started: max_failures = 2 reached"}
    assert {r.error for r in results[5:]} == {
        'not started: group "wave1" reached max_failures = 2'}

    below = FleetOptions(parallel=1, continue_on_error=True, max_failures=4)
    results = run_groups([("wave1", all_targets[:5], below),
                          ("wave2", all_targets[5:], FleetOptions(parallel=1))], job)
    assert [r.state for r in results] == ["ok", "failed", "failed", "ok", "failed", "ok", "ok"]


def test_apply_stops_between_files_when_asked(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    for i in range(1, 4):
        (d / f"{i}_t{i}.sql").write_text(f"CREATE TABLE t{i} (id int);\n")
    hash_dir(d)
    conn = SQLiteConnection(parse_url(f"sqlite://{tmp_path / 'app.db'}"))
    try:
        asked = []

        def should_stop():
            asked.append(1)
            return True

        report = apply(conn, DIALECT, str(d), should_stop=should_stop)
        assert report.stopped and report.error is None
        assert [f.version for f in report.applied] == ["1"]
        # The next run finishes exactly what is left.
        report = apply(conn, DIALECT, str(d))
        assert [f.version for f in report.applied] == ["2", "3"] and not report.stopped
    finally:
        conn.close()


def test_the_pool_never_holds_more_submissions_than_workers(monkeypatch):
    """A fleet of thousands is fed to the pool as workers free up, never queued whole."""
    import atoll.fleet.runner as runner

    outstanding, most, lock = [0], [0], threading.Lock()

    class CountingPool(runner.ThreadPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            with lock:
                outstanding[0] += 1
                most[0] = max(most[0], outstanding[0])
            fut = super().submit(fn, *args, **kwargs)

            def done(_f):
                with lock:
                    outstanding[0] -= 1

            fut.add_done_callback(done)
            return fut

    monkeypatch.setattr(runner, "ThreadPoolExecutor", CountingPool)
    results = run_fleet(targets(200), lambda t, step: TargetResult(t, "ok"),
                        FleetOptions(parallel=3))
    assert [r.target.name for r in results] == [f"db{i}" for i in range(200)]
    assert 1 <= most[0] <= 3


def test_results_share_their_versions_and_empty_values():
    a = TargetResult(Target("a", "sqlite://a.db"), "ok", version_after="".join(["2024", "1"]))
    b = TargetResult(Target("b", "sqlite://b.db"), "ok", version_after="".join(["2024", "1"]))
    assert a.version_after is b.version_after and a.drift is b.drift == ()
    assert not hasattr(a, "__dict__") and not hasattr(a.target, "__dict__")


def test_the_plain_report_is_written_in_pieces_with_the_same_text():
    from atoll.fleet import report

    results = [TargetResult(Target(f"shard_{i}", f"sqlite://s{'x' * (i % 7)}.db"), "ok",
                            version_before="1" if i % 3 else "", version_after="2", files=i % 4,
                            seconds=i / 100, error="boom\nmore" if i == 5 else "")
               for i in range(1300)]
    table = [report.HEADERS, *report.rows(results)]
    widths = [max(len(row[i]) for row in table) for i in range(len(report.HEADERS))]
    expected = "".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + "\n"
                       for row in table) + report.summary_line(results) + "\n"
    pieces: list[str] = []
    report.write_plain(pieces.append, results)
    assert "".join(pieces) == expected == report.render_plain(results)
    assert len(pieces) > 1 and "shard_5 " in expected and "more" not in expected
    # rows a command gives itself (migrate status): read twice, once for the widths
    own = [("a", "b"), ("long name", "c")]
    assert report.render_plain(results[:2], ("X", "Y"), own).splitlines()[:3] == [
        "X          Y", "a          b", "long name  c"]


def test_the_json_report_is_written_in_pieces_with_the_same_text():
    import json

    from atoll.fleet import report

    results = [TargetResult(Target(f"s{i}", f"sqlite://s{i}.db"), "ok", files=i % 3,
                            error="é" if i == 2 else "") for i in range(1100)]
    pieces: list[str] = []
    report.write_json(pieces.append, results)
    expected = json.dumps(report.json_rows(results), ensure_ascii=False)
    assert "".join(pieces) == expected == report.as_json(results) and len(pieces) > 1
    assert report.as_json([]) == "[]"
