"""Normalising a desired schema on the dev database (Atlas's ``NormalizeSchema``, schema
scope): the dev database takes the desired charset/collation, the tables are created in it,
inspected back (so types, defaults and expressions read the way the server stores them) and
renamed to the desired schema; the dev database is emptied and its defaults restored whatever
happens."""

from __future__ import annotations

import dataclasses

from ...errors import DatabaseError
from ...schema.changes import AddTable
from ...schema.model import Schema
from ..base import run_statements


def normalize(dialect, desired: Schema, dev_url: str | None) -> Schema:
    from ...states import dev_database
    from .plan import plan_changes
    from .server_info import server_info

    with dev_database(dev_url) as (_, conn):
        empty = dialect.inspect(conn)
        info = server_info(conn)
        attrs = [(k, v) for k, v, have in (("CHARSET", desired.charset, empty.charset),
                                           ("COLLATE", desired.collation, empty.collation))
                 if v and v != have]
        try:
            if attrs:
                conn.execute(f"ALTER DATABASE `{empty.name}` "
                             + " ".join(f"{k} {v}" for k, v in attrs))
            run_statements(conn, plan_changes([AddTable(t) for t in desired.tables], info=info))
            got = dialect.inspect(conn)
        finally:
            if attrs:
                try:
                    conn.execute(f"ALTER DATABASE `{empty.name}` CHARSET {empty.charset} "
                                 f"COLLATE {empty.collation}")
                except DatabaseError:
                    pass
    return dataclasses.replace(got, name=desired.name)
