"""PostgreSQL: ``connection`` (psycopg 3, imported lazily) and ``revisions`` (the revisions
table); versioned migrations only so far.

PostgreSQL as a target of versioned migrations (``migrate apply|status|set|validate`` with
``--url postgres://…``), writing the ``atlas_schema_revisions`` table Atlas writes, so a
database can move between Atlas and atoll in either direction.

Needs ``pip install "atoll[postgres]"`` (psycopg 3), imported only when a PostgreSQL URL is
opened. The declarative side (inspect, diff, plan, clean) is not implemented for PostgreSQL
yet: those methods raise a one-line ``AtollError``."""

from __future__ import annotations

from ..server import VersionedOnlyDialect


class PostgresDialect(VersionedOnlyDialect):
    name = "postgres"
    package = __name__
    connection_class = "PostgresConnection"
    extra = "postgres"
    splitter_preset = "POSTGRES"

    def risk_probe(self):
        from .data_risk import PostgresRiskProbe

        return PostgresRiskProbe()


DIALECT = PostgresDialect()
