"""atlas.sum: Atlas's hashing, parsing and validation; the migration directory."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "migrate"))
from migsupport import FIXTURES, make_dir

from atoll.errors import ChecksumError, MigrationError
from atoll.migrate import (
    ChecksumMismatch,
    checksum_help,
    compute_sum,
    hash_dir,
    list_files,
    load_dir,
    new_file,
    new_file_name,
    remove_file,
    validate_dir,
    write_file,
)
from atoll.migrate.checksum import HashFile

SUM_DIRS = sorted(p.parent for p in (FIXTURES / "sums").rglob("atlas.sum"))


def test_fixture_sums_are_all_there():
    assert len(SUM_DIRS) == 22


@pytest.mark.parametrize("d", SUM_DIRS, ids=lambda p: str(p.relative_to(FIXTURES / "sums")))
def test_atlas_sums_reproduced_byte_for_byte(d):
    expected = (d / "atlas.sum").read_bytes()
    assert load_dir(d).checksum.to_bytes() == expected
    validate_dir(d)


def test_worked_example_from_spec(tmp_path):
    d = make_dir(tmp_path, {"1_init.sql": "CREATE TABLE t (c int);\n",
                            "2_more.sql": "ALTER TABLE t ADD COLUMN d int;\n"})
    assert (d / "atlas.sum").read_text() == (
        "h1:AkZlp0NJNi8NgiNG0iNUwyRruuNMhaD3or4tCKGdeZs=\n"
        "1_init.sql h1:TQ/M4Vw9bhxNNupBrBBEjm4sDOfPvnlH0+HE2vj/ZiI=\n"
        "2_more.sql h1:nOipI5gUlx/EfDFr33PgIQiqfS+BT0dB0dNZQArOSVI=\n")
    assert oct(os.stat(d / "atlas.sum").st_mode & 0o777) == "0o644"


def test_sum_ignore_directive(tmp_path):
    d = make_dir(tmp_path, {"1_init.sql": "CREATE TABLE t (c int);\n",
                            "1_notes.sql": "-- atlas:sum ignore\nnot executed\n",
                            "2_more.sql": "ALTER TABLE t ADD COLUMN d int;\n"})
    text = (d / "atlas.sum").read_text()
    assert text.splitlines() == [
        "h1:d0OWNLxIotEGNb186BTnahdUeg1gvm0AhaBF9CC3qms=",
        "1_init.sql h1:TQ/M4Vw9bhxNNupBrBBEjm4sDOfPvnlH0+HE2vj/ZiI=",
        "2_more.sql h1:MFGkUUwpUqh+ffa4OMlhUEButmNIc+EIT3cfqFbg89I="]
    # Its content may change freely.
    (d / "1_notes.sql").write_text("-- atlas:sum ignore\nsomething else\n")
    validate_dir(d)


@pytest.mark.parametrize("content,ignored", [
    ("-- atlas:sum ignore\nx", True), ("//atlas:sum ignore\nx", True), ("atlas:sum ignore", True),
    ("//atlas:sum\nfoo", False), ("-- atlas:sum ignore \nx", False),
    ("-- atlas:sum ignore\r\nx", False), ("x\n-- atlas:sum ignore\n", False),
    ("-- atlas:sum  ignore\n", True), ("-- atlas:nolint atlas:sum ignore\n", True),
    ("-- atlas:sum ignore atlas:nolint\n", False),
])
def test_sum_ignore_rules(content, ignored):
    hf = compute_sum([("a.sql", content.encode())])
    assert (hf.entries == ()) is ignored


def test_include_exclude(tmp_path):
    # Atlas's TestHashSum cases: only *.sql, the sum directive on the first line.
    d = make_dir(tmp_path, {"include.sql": "//atlas:sum\nfoo", "exclude_1.sql":
                            "//atlas:sum ignore\nbar", "exclude_2.sql": "atlas:sum ignore",
                            "exclude.txt": "x", "X.SQL": "y"}, hashed=False)
    (d / "sub").mkdir()
    (d / "sub" / "1.sql").write_text("nested")
    hf = hash_dir(d)
    assert [n for n, _ in hf.entries] == ["include.sql"]
    assert [f.name for f in load_dir(d).files] == ["exclude_1.sql", "exclude_2.sql",
                                                   "include.sql"]


def test_byte_order_and_versions(tmp_path):
    d = make_dir(tmp_path, {n: "" for n in ["2.sql", "10.sql", "1.sql", ".x.sql",
                                           "1.a_sub.up.sql", "2.10.x-20_description.sql",
                                           "V1__init.sql", "20251226_initial.sql"]})
    files = load_dir(d).files
    assert [f.name for f in files] == [".x.sql", "1.a_sub.up.sql", "1.sql", "10.sql",
                                       "2.10.x-20_description.sql", "2.sql",
                                       "20251226_initial.sql", "V1__init.sql"]
    got = {f.name: (f.version, f.description) for f in files}
    assert got["1.a_sub.up.sql"] == ("1.a", "sub.up")
    assert got["2.10.x-20_description.sql"] == ("2.10.x-20", "description")
    assert got["10.sql"] == ("10", "")
    assert got["V1__init.sql"] == ("V1", "_init")
    assert got["20251226_initial.sql"] == ("20251226", "initial")


def _validate_error(d):
    with pytest.raises(ChecksumError) as e:
        validate_dir(d)
    return e.value


def test_validate_reasons(tmp_path):
    # Atlas's TestValidate.
    d = make_dir(tmp_path, {"1_initial.down.sql": "DROP TABLE t;\n",
                            "1_initial.up.sql": "CREATE TABLE t(c int);\n"})
    validate_dir(d)
    (d / "1_initial.down.sql").unlink()
    (d / "1_initial.up.sql").unlink()
    e = _validate_error(d)
    assert (str(e), e.line, e.file, e.reason) == ("checksum mismatch", 2, "1_initial.down.sql",
                                                  "removed")
    d = make_dir(tmp_path, {"1_initial.down.sql": "DROP TABLE t;\n",
                            "1_initial.up.sql": "CREATE TABLE t(c int);\n"}, name="b")
    (d / "1_initial.up.sql").write_text("CREATE TABLE t(c int, d int);\n")
    e = _validate_error(d)
    assert (e.line, e.file, e.reason) == (3, "1_initial.up.sql", "edited")
    (d / "1_initial.up.sql").write_text("CREATE TABLE t(c int);\n")
    (d / "2_second.sql").write_text("x")
    e = _validate_error(d)
    assert (e.line, e.file, e.reason) == (4, "2_second.sql", "added")
    (d / "2_second.sql").unlink()
    (d / "1_initial.up.sql").rename(d / "1_first.up.sql")
    e = _validate_error(d)
    assert (e.line, e.file, e.reason) == (2, "1_first.up.sql", "added")
    (d / "1_first.up.sql").unlink()
    e = _validate_error(d)
    assert (e.line, e.file, e.reason) == (3, "1_initial.up.sql", "removed")
    assert checksum_help(e) == (
        "You have a checksum error in your migration directory.\n\n"
        "\tL3: 1_initial.up.sql was removed\n\n"
        "Please check your migration files and run 'atlas migrate hash' to re-hash the "
        "contents\n\n")


@pytest.mark.parametrize("hashed, checked, says", [
    (b"\r\n", b"\n", "CRLF"),   # hashed on a Windows checkout (core.autocrlf), checked on Linux
    (b"\n", b"\r\n", "LF"),
])
def test_a_sum_made_with_other_line_endings_is_named_as_the_cause(tmp_path, hashed, checked,
                                                                   says):
    d = tmp_path / "m"
    d.mkdir()
    body = b"CREATE TABLE t (c int);\nCREATE TABLE u (c int);\n"
    (d / "1_a.sql").write_bytes(body.replace(b"\n", hashed))
    (d / "2_b.sql").write_bytes(b"SELECT 1;\n".replace(b"\n", hashed))
    hash_dir(d)
    for f in ("1_a.sql", "2_b.sql"):
        (d / f).write_bytes((d / f).read_bytes().replace(hashed, checked))
    e = _validate_error(d)
    assert (e.line, e.file, e.reason, e.hashed_with) == (2, "1_a.sql", "edited", says)
    assert f"\tL2: 1_a.sql was edited (atlas.sum was computed on a checkout with {says} line " \
           f"endings" in checksum_help(e)
    # A real edit is not blamed on line endings.
    (d / "2_b.sql").write_bytes(b"SELECT 2;\n")
    e = _validate_error(d)
    assert e.hashed_with is None
    assert "\tL2: 1_a.sql was edited\n\n" in checksum_help(e)


def test_sum_file_tampering(tmp_path):
    d = make_dir(tmp_path, {"1.sql": "SELECT 1;\n"})
    good = (d / "atlas.sum").read_bytes()
    (d / "atlas.sum").write_bytes(b"foo" + good[3:])
    e = _validate_error(d)
    assert str(e) == "checksum mismatch" and not isinstance(e, ChecksumMismatch)
    assert "\tL" not in checksum_help(e)
    (d / "atlas.sum").write_bytes(good + b"foo")
    assert str(_validate_error(d)) == "checksum file format invalid"
    (d / "atlas.sum").write_bytes(good + b"\n")
    assert str(_validate_error(d)) == "checksum file format invalid"
    # Lenient: CRLF and a missing final newline parse.
    (d / "atlas.sum").write_bytes(good.replace(b"\n", b"\r\n"))
    validate_dir(d)
    (d / "atlas.sum").write_bytes(good[:-1])
    validate_dir(d)
    # Spacing does not matter, only names and hashes.
    (d / "atlas.sum").write_bytes(good.replace(b"1.sql h1:", b"  1.sql   h1:"))
    validate_dir(d)


def test_missing_sum(tmp_path):
    d = make_dir(tmp_path, {}, hashed=False)
    validate_dir(d)  # empty directory without a sum is fine
    assert hash_dir(d).to_bytes() == b"h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    (d / "atlas.sum").unlink()
    (d / "1_initial.sql").write_text("x")
    e = _validate_error(d)
    assert str(e) == "checksum file not found"
    assert checksum_help(e).startswith("You have a checksum error in your migration directory.\n"
                                       "Please check")


def test_parse_and_tamper_file_content(tmp_path):
    d = make_dir(tmp_path, {"1.sql": "a", "2.sql": "b", "3.sql": "c"})
    hf = HashFile.parse((d / "atlas.sum").read_bytes())
    assert [n for n, _ in hf.entries] == ["1.sql", "2.sql", "3.sql"]
    assert hf.sum_by_name("2.sql") == load_dir(d).checksum.sum_by_name("2.sql")
    # Inserting a file in the middle is reported at its position.
    (d / "2.5.sql").write_text("x")
    e = _validate_error(d)
    assert (e.line, e.file, e.reason) == (3, "2.5.sql", "added")  # "2.5.sql" < "2.sql"


def test_directory_errors(tmp_path):
    with pytest.raises(MigrationError, match="^sql/migrate: stat .*nope: no such file or "
                                             "directory$"):
        load_dir(tmp_path / "nope")
    (tmp_path / "f").write_text("")
    with pytest.raises(MigrationError, match=r'^sql/migrate: ".*f" is not a dir$'):
        load_dir(tmp_path / "f")


def test_new_file_and_diff_naming(tmp_path):
    now = datetime(2024, 3, 5, 9, 7, 3, tzinfo=UTC)
    assert new_file_name("add_users", now) == "20240305090703_add_users.sql"
    assert new_file_name(None, now) == "20240305090703.sql"
    d = tmp_path / "a" / "migrations"
    p = new_file(d, "my-migration-file", now)
    assert Path(p).name == "20240305090703_my-migration-file.sql"
    assert Path(p).read_bytes() == b""
    assert sorted(os.listdir(d)) == ["20240305090703_my-migration-file.sql", "atlas.sum"]
    validate_dir(d)
    write_file(d, new_file_name("x", now), "CREATE TABLE t(c int);\n")
    validate_dir(d)
    assert list_files(d) == ["20240305090703_my-migration-file.sql", "20240305090703_x.sql"]
    assert list_files(d, short=True, latest=True) == ["20240305090703"]
    # A directory with a checksum error blocks `new`.
    (d / "zzz.sql").write_text("x")
    with pytest.raises(ChecksumError):
        new_file(d, "y", now)
    (d / "zzz.sql").unlink()
    assert remove_file(d) == "20240305090703_x.sql"
    validate_dir(d)
    with pytest.raises(MigrationError, match='migration with version "9" not found'):
        remove_file(d, "9")
