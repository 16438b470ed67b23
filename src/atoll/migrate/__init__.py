"""Versioned migrations: the directory and ``atlas.sum``, directives, the splitter, the
revisions table, the apply/status/set engine and its reports; ``lint`` the analyzers.

Engine-agnostic: database access goes through ``atoll.dialects.base`` (``Connection``,
``Dialect.split``) and a per-dialect revisions hook (``atoll.dialects.<engine>.revisions``).
Imports here are light: the standard library and atoll only, never a database driver.

``status`` and ``set_version`` are functions named like their modules; importing them here
binds the package attributes to the functions."""

from __future__ import annotations

from ..gotext import go_json, go_quote
from .checksum import ChecksumMismatch, HashFile, checksum_help, compute_sum
from .directory import (
    MigrationDir,
    MigrationFile,
    hash_dir,
    list_files,
    load_dir,
    new_file,
    new_file_name,
    remove_file,
    validate_dir,
    version_at,
    write_file,
)
from .executor import apply, replay
from .lock import APPLY_LOCK, acquire_lock
from .report import (
    ApplyReport,
    ReportEnv,
    SetReport,
    StatusReport,
    apply_data,
    apply_json,
    go_duration,
    go_url_json,
    parse_go_duration,
    render_apply,
    render_set,
    render_status,
    status_data,
    status_json,
)
from .set_version import set_version
from .splitter import ScanError, Stmt, scan_statements, split_statements
from .status import status

__all__ = [
    "APPLY_LOCK", "ApplyReport", "ChecksumMismatch", "HashFile", "MigrationDir",
    "MigrationFile", "ReportEnv", "ScanError", "SetReport", "StatusReport", "Stmt",
    "acquire_lock", "apply", "apply_data", "apply_json", "checksum_help", "compute_sum",
    "go_duration", "go_json", "go_quote", "go_url_json", "hash_dir", "list_files", "load_dir",
    "new_file", "new_file_name", "parse_go_duration", "remove_file", "render_apply",
    "render_set", "render_status", "replay", "scan_statements", "set_version",
    "split_statements", "status", "status_data", "status_json", "validate_dir", "version_at",
    "write_file",
]
