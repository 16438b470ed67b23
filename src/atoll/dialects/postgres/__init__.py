"""PostgreSQL: connection (psycopg 3, lazily), revisions table, and the declarative side
(inspect, types, HCL, diff, plan, clean) with Atlas's PostgreSQL behaviour (spec/postgres.md).

Versioned migrations (``migrate apply|status|set|validate``) write the ``atlas_schema_revisions``
table Atlas writes; declarative commands work for URLs bound to one schema
(``?search_path=app``) and, through the realm hooks, for a whole database (no ``search_path``).

Needs ``pip install "atoll[postgres]"`` (psycopg 3), imported only when a PostgreSQL URL is
opened. Each job lives in its own module; this class wires them behind the ``Dialect``
interface."""

from __future__ import annotations

from collections.abc import Sequence

from ...schema.name_rules import NameRules
from ...schema.changes import SchemaChange
from ...schema.model import Realm, Schema
from ...urls import DatabaseURL
from ..base import Connection, Statement
from ..server import VersionedOnlyDialect


class PostgresDialect(VersionedOnlyDialect):
    name = "postgres"
    package = __name__
    connection_class = "PostgresConnection"
    extra = "postgres"
    splitter_preset = "POSTGRES"
    hcl_name_rules = NameRules(fold_case=False, fold_column_case=False, triggers_per_table=True,
                               tables_need_columns=False)

    def lint_analyzers(self, analyzers: list, config=None) -> list:
        from .lint import lint_analyzers

        return lint_analyzers(analyzers, config)

    def risk_probe(self):
        from .data_risk import PostgresRiskProbe

        return PostgresRiskProbe()

    def inspect(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Schema:
        from .inspect import inspect_schema

        return inspect_schema(conn, exclude=exclude)

    def diff(self, current: Schema, desired: Schema, *,
             skip: frozenset[str] = frozenset()) -> list[SchemaChange]:
        from .diff_rules import diff_schema
        from .views import with_view_dependents

        return with_view_dependents(diff_schema(current, desired, skip=skip), current, desired)

    def plan(self, changes: Sequence[SchemaChange], *, indent: str = "",
             qualifier: str | None = None) -> list[Statement]:
        from .plan import plan_changes

        return plan_changes(changes, indent=indent, qualifier=qualifier)

    def schema_sql(self, schema: Schema, *, indent: str = "") -> str:
        from .plan import schema_sql

        return schema_sql(schema, indent=indent)

    def clean(self, conn: Connection) -> list[Statement]:
        from .plan import plan_clean

        return plan_clean(self.inspect(conn))

    def is_clean(self, conn: Connection) -> bool:
        from .objects import user_objects

        return super().is_clean(conn) and not user_objects(conn)

    def decode_hcl(self, doc) -> Schema:
        from .hcl_codec import decode

        return decode(doc)

    def encode_hcl(self, schema: Schema) -> str:
        from .hcl_codec import encode

        return encode(schema)

    def normalize(self, desired: Schema, dev_url: str | None) -> Schema:
        from .normalize import normalize

        return normalize(self, desired, dev_url)

    def dev_not_clean(self, schema: Schema) -> str | None:
        if schema.tables:
            return f'found table "{schema.tables[0].name}" in connected schema'
        return None

    # --- realm scope: a URL without search_path (dialects/postgres/realm.py) ------------

    def realm_scoped(self, url: DatabaseURL) -> bool:
        return not url.param("search_path")

    def inspect_realm(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Realm:
        from ...schema.exclude import exclude_realm
        from .realm import inspect_realm

        return exclude_realm(inspect_realm(conn), exclude)

    def inspect_bound_realm(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Realm:
        from ...schema.exclude import exclude_schema
        from .realm import inspect_realm

        bound = getattr(conn, "bound_schema", "")
        if not bound:
            return super().inspect_bound_realm(conn, exclude=exclude)
        schema = inspect_realm(conn, only=bound).schemas[0]
        return Realm((exclude_schema(schema, exclude) if exclude else schema,))

    def diff_realm(self, current: Realm, desired: Realm, *,
                   skip: frozenset[str] = frozenset()) -> list:
        from .realm import diff_realm

        return diff_realm(current, desired, skip=skip)

    def plan_realm(self, changes: Sequence, *, indent: str = "") -> list[Statement]:
        from .realm import plan_realm

        return plan_realm(changes, indent=indent)

    def realm_sql(self, realm: Realm, *, indent: str = "") -> str:
        from .realm import realm_sql

        return realm_sql(realm, indent=indent)

    def decode_hcl_realm(self, doc) -> Realm:
        from .hcl_codec import decode_realm

        return decode_realm(doc)

    def encode_hcl_realm(self, realm: Realm) -> str:
        from .hcl_codec import encode_realm

        return encode_realm(realm)

    def normalize_realm(self, desired: Realm, dev_url: str | None) -> Realm:
        from ...states import dev_database
        from .realm import normalize_realm

        with dev_database(dev_url) as (_, conn):
            return normalize_realm(desired, conn)

    def realm_dev_not_clean(self, realm: Realm) -> str | None:
        from .realm import dev_not_clean

        return dev_not_clean(realm)

    def restore_realm_dev(self, conn: Connection, snapshot: Realm) -> None:
        from .realm import restore_dev

        restore_dev(conn, snapshot)


DIALECT = PostgresDialect()
