"""run.journal: what restore needs is on disk before a run goes on, and a record read back
after a crash between two saves of run.json carries it."""

from __future__ import annotations

import os

import pytest

from atoll.errors import AtollError
from atoll.fleet.run_record import (
    JOURNAL_FILE,
    DatabaseEntry,
    EndState,
    RecordWriter,
    RestorePointInfo,
    RunRecord,
    load,
)


def _writer(tmp_path) -> RecordWriter:
    record = RunRecord(id="20261208T000000.000000Z-abcd", command="migrate apply", argv=[],
                       scope="env:x", started_at="t",
                       databases=[DatabaseEntry(name="a", url="sqlite://a.db"),
                                  DatabaseEntry(name="b", url="sqlite://b.db")])
    record.path = str(tmp_path / "run.json")
    writer = RecordWriter(record)
    writer.save()
    return writer


POINT = RestorePointInfo(version="1", taken_at="t", path="a.db", sha256="00", bytes=3)


def test_durable_values_survive_without_a_save_of_run_json(tmp_path):
    writer = _writer(tmp_path)
    writer.record_durably("a", restore_point=POINT)
    writer.record_durably("a", end=EndState("2", "ff"))
    got = load(str(tmp_path / "run.json")).entry("a")
    assert got.restore_point == POINT and got.end == EndState("2", "ff") and got.changed
    assert load(str(tmp_path / "run.json")).entry("b").restore_point is None


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path):
    writer = _writer(tmp_path)
    writer.record_durably("a", restore_point=POINT)
    with open(tmp_path / JOURNAL_FILE, "a") as fh:
        fh.write('{"name": "b", "restore_point": {"vers')
    record = load(str(tmp_path / "run.json"))
    assert record.entry("a").restore_point == POINT
    assert record.entry("b").restore_point is None


def test_a_journal_that_cannot_be_written_raises_and_records_nothing(tmp_path):
    writer = _writer(tmp_path)
    os.mkdir(tmp_path / JOURNAL_FILE)  # stands in for a full disk: the append fails
    with pytest.raises(AtollError, match="writing the run journal"):
        writer.record_durably("a", restore_point=POINT)
    assert writer.record.entry("a").restore_point is None


def test_the_final_save_drops_the_journal(tmp_path):
    writer = _writer(tmp_path)
    writer.record_durably("a", restore_point=POINT)
    writer.save(final=True)
    assert not (tmp_path / JOURNAL_FILE).exists()
    assert load(str(tmp_path / "run.json")).entry("a").restore_point == POINT


def test_a_restore_point_cut_short_leaves_no_file(tmp_path, monkeypatch):
    import errno
    import sqlite3

    from atoll.dialects import dialect_for
    from atoll.dialects.sqlite import restore_point
    from atoll.urls import parse_url

    sqlite3.connect(tmp_path / "app.db").execute("CREATE TABLE t (a)").connection.close()
    url = parse_url(f"sqlite://{tmp_path / 'app.db'}")

    def full_disk(src, dest):
        with open(dest, "wb") as fh:
            fh.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device", dest)

    monkeypatch.setattr(restore_point, "copy_file", full_disk)
    (tmp_path / "points").mkdir()
    with dialect_for(url).connect(url) as conn, pytest.raises(OSError, match="No space"):
        restore_point.take(conn, str(tmp_path / "points" / "app"))
    assert not (tmp_path / "points" / "app.db").exists()
