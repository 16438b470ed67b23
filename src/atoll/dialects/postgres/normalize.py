"""Normalising a desired schema on the dev database (Atlas's ``NormalizeSchema``): the schema
is created in the dev database's schema under the dev schema's name, inspected back (so types,
defaults, expressions and predicates read the way PostgreSQL stores them) and renamed to its
own name; the dev schema is emptied again whatever happens."""

from __future__ import annotations

import dataclasses

from ...schema.model import Schema
from ..base import run_statements


def normalize(dialect, desired: Schema, dev_url: str | None) -> Schema:
    from ...states import dev_database
    from .diff_rules import diff_schema
    from .plan import plan_changes

    with dev_database(dev_url) as (_, conn):
        empty = dialect.inspect(conn)
        target = dataclasses.replace(desired, name=empty.name)
        run_statements(conn, plan_changes(diff_schema(empty, target)))
        got = dialect.inspect(conn)
    # The dev schema's own comment (``standard public schema`` on ``public``) is not part of
    # the desired state: only the name and comment the desired schema gave come back.
    return dataclasses.replace(got, name=desired.name, comment=desired.comment)
