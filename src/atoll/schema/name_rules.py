"""How an engine compares object names within one schema, for the check of schema files
(``hcl/schema_check.py``). Kept apart so that every dialect can name its rules without
loading the HCL machinery at start-up."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NameRules:
    """How an engine compares object names within one schema."""

    # Table, view, index and trigger names differing only in ASCII letter case are the same
    # name (SQLite); column names likewise (SQLite, MySQL).
    fold_case: bool = True
    fold_column_case: bool = True
    # Index names share the namespace of tables and views (SQLite, PostgreSQL); else an
    # index name is unique only within its table (MySQL).
    indexes_share_relation_names: bool = True
    # Trigger names are unique per table (PostgreSQL); else per schema (SQLite, MySQL).
    triggers_per_table: bool = False
    # A table needs at least one column (SQLite, MySQL; PostgreSQL allows ``CREATE TABLE t ()``).
    tables_need_columns: bool = True


SQLITE_NAMES = NameRules()
