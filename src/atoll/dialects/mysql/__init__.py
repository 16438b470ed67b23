"""MySQL and MariaDB: connection (PyMySQL, lazily), revisions table, clean checks, and the
declarative side (inspect, types, HCL, diff, plan, normalize) with Atlas's MySQL behaviour.

``server_info`` holds the flavour (MySQL or MariaDB, decided by the version string) and the
version gates of spec/mysql.md §1.3.

Versioned migrations write the ``atlas_schema_revisions`` table Atlas writes, so a database can
move between Atlas and atoll in either direction. Declarative commands work on URLs bound to
one database (``mysql://root@host:3306/app``) and, through the realm hooks (``realm.py``), on a
server URL without a database (every user database); ``docker://`` dev URLs are refused (give a
real, empty dev database or server).

Needs ``pip install "atoll[mysql]"`` (PyMySQL), imported only when a MySQL URL is opened.

MySQL DDL is not transactional: every DDL statement commits implicitly, so tx-mode ``file``
cannot roll back the DDL of a failing file. The revision row then records the statements that
ran, the error and the failing statement, and a re-run resumes at that statement (Atlas behaves
the same); see ``revisions.py``."""

from __future__ import annotations

from collections.abc import Sequence

from ...schema.name_rules import NameRules
from ...schema.changes import SchemaChange
from ...schema.model import Realm, Schema
from ...urls import DatabaseURL
from ..base import Connection, Statement
from ..server import VersionedOnlyDialect


class MySQLDialect(VersionedOnlyDialect):
    name = "mysql"
    package = __name__
    connection_class = "MySQLConnection"
    extra = "mysql"
    splitter_preset = "MYSQL"
    identifier_quote = "`"
    # Index names are per table; column names ignore case; table names follow the server's
    # file system (case-sensitive on Linux, lower_case_table_names = 0).
    hcl_name_rules = NameRules(fold_case=False, indexes_share_relation_names=False)
    trial_unsupported = ("MySQL's DDL is not transactional (each DDL statement commits "
                         "at once), so migrations cannot be tried and rolled back")

    def __init__(self):
        # The server last inspected: its flavour and version decide planner details (Atlas
        # plans with the connected driver). Servers of one fleet share a flavour.
        self._info = None

    def _server(self):
        from .server_info import DEFAULT

        return self._info or DEFAULT

    def inspect(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Schema:
        from .inspect import inspect_schema
        from .server_info import server_info

        self._info = server_info(conn)
        return inspect_schema(conn, exclude=exclude)

    def diff(self, current: Schema, desired: Schema, *,
             skip: frozenset[str] = frozenset()) -> list[SchemaChange]:
        from .diff_rules import diff_schema

        return diff_schema(current, desired, skip=skip, info=self._info)

    def plan(self, changes: Sequence[SchemaChange], *, indent: str = "",
             qualifier: str | None = None) -> list[Statement]:
        from .plan import plan_changes

        return plan_changes(changes, indent=indent, info=self._server(),
                            qualifier=qualifier)

    def schema_sql(self, schema: Schema, *, indent: str = "") -> str:
        from .plan import schema_sql

        return schema_sql(schema, indent=indent, info=self._server())

    def clean(self, conn: Connection) -> list[Statement]:
        from .plan import plan_clean

        return plan_clean(self.inspect(conn), info=self._server())

    def lint_analyzers(self, analyzers: list, config=None) -> list:
        from .lint import lint_analyzers

        return lint_analyzers(analyzers)

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
            return f'found table "{schema.tables[0].name}" in schema "{schema.name}"'
        return None


    # --- realm scope: a server URL without a database (realm.py) ----------------------------

    def realm_scoped(self, url: DatabaseURL) -> bool:
        from .connection import connect_kwargs

        return not connect_kwargs(url)["database"]

    def inspect_realm(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Realm:
        from .inspect import inspect_realm
        from .server_info import server_info

        self._info = server_info(conn)
        return Realm(tuple(inspect_realm(conn, exclude=exclude)))

    def diff_realm(self, current: Realm, desired: Realm, *,
                   skip: frozenset[str] = frozenset()) -> list:
        from .realm import diff_realm

        return diff_realm(current, desired, skip=skip, info=self._info)

    def plan_realm(self, changes: Sequence, *, indent: str = "") -> list[Statement]:
        from .realm import plan_realm

        return plan_realm(changes, indent=indent, info=self._server())

    def realm_sql(self, realm: Realm, *, indent: str = "") -> str:
        from .realm import realm_sql

        return realm_sql(realm, indent=indent, info=self._server())

    def decode_hcl_realm(self, doc) -> Realm:
        from .realm import decode_realm

        return decode_realm(doc)

    def encode_hcl_realm(self, realm: Realm) -> str:
        from .hcl_codec import encode_realm

        return encode_realm(realm.schemas)

    def normalize_realm(self, desired: Realm, dev_url: str | None) -> Realm:
        from .realm import normalize_realm

        return normalize_realm(self, desired, dev_url)

    def realm_dev_not_clean(self, realm: Realm) -> str | None:
        from .realm import dev_not_clean

        return dev_not_clean(realm)

    def restore_realm_dev(self, conn: Connection, snapshot: Realm) -> None:
        from .realm import restore_dev

        restore_dev(conn, snapshot)


DIALECT = MySQLDialect()
