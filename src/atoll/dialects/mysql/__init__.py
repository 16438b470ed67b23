"""MySQL and MariaDB: ``connection`` (PyMySQL, imported lazily) and ``revisions`` (the
revisions table); versioned migrations only so far.

MySQL and MariaDB as targets of versioned migrations (``migrate apply|status|set|validate``
with ``--url mysql://…`` or ``mariadb://…``), writing the ``atlas_schema_revisions`` table Atlas
writes, so a database can move between Atlas and atoll in either direction.

Needs ``pip install "atoll[mysql]"`` (PyMySQL), imported only when a MySQL URL is opened.

MySQL DDL is not transactional: every DDL statement commits implicitly, so tx-mode ``file``
cannot roll back the DDL of a failing file. The revision row then records the statements that
ran, the error and the failing statement, and a re-run resumes at that statement (Atlas behaves
the same); see ``revisions.py``.

The declarative side (inspect, diff, plan, clean) is not implemented for MySQL yet: those
methods raise a one-line ``AtollError``."""

from __future__ import annotations

from ..server import VersionedOnlyDialect


class MySQLDialect(VersionedOnlyDialect):
    name = "mysql"
    package = __name__
    connection_class = "MySQLConnection"
    extra = "mysql"
    splitter_preset = "MYSQL"
    trial_unsupported = ("MySQL's DDL is not transactional (each DDL statement commits "
                         "at once), so migrations cannot be tried and rolled back")


DIALECT = MySQLDialect()
