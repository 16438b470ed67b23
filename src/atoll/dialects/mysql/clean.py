"""When a MySQL database (schema scope) or server (realm scope) counts as clean for a first
``migrate apply``, in Atlas's wording (``CheckClean``, spec/mysql.md §1.5): a database may
hold the revisions table only (``found table "t" in schema "s"``); a server may hold only the
revisions database (``found multiple schemas: N``, ``found schema "s"``,
``found multiple tables: N``, ``found table "t"``)."""

from __future__ import annotations

from ...gotext import go_quote
from ...migrate.revisions import TABLE

SYSTEM_SCHEMAS = ("information_schema", "innodb", "mysql", "performance_schema", "sys")


class Tables(list):
    """The tables that make a database not clean (``schema.table`` in realm scope), with
    what the wording needs: the schema in scope, or the server's user schemas."""

    schema: str = ""
    schemas: tuple[str, ...] | None = None
    revisions_schema: str = ""


def _s(v) -> str:
    return bytes(v).decode() if isinstance(v, (bytes, bytearray)) else str(v)


def user_tables(conn, default_schema: str) -> Tables:
    bound = getattr(conn, "bound_schema", "")
    rev_schema = getattr(conn, "revisions_schema", "") or bound or default_schema
    sql = ("SELECT table_schema, table_name FROM information_schema.tables "
           "WHERE table_type = 'BASE TABLE' ")
    out = Tables()
    out.schema, out.revisions_schema = bound, rev_schema
    if bound:
        rows = conn.query(sql + "AND table_schema = %s ORDER BY 2", (bound,))
    else:
        marks = ", ".join(["%s"] * len(SYSTEM_SCHEMAS))
        rows = conn.query(sql + f"AND table_schema NOT IN ({marks}) ORDER BY 1, 2",
                          SYSTEM_SCHEMAS)
        out.schemas = tuple(_s(r[0]) for r in conn.query(
            "SELECT `SCHEMA_NAME` FROM `INFORMATION_SCHEMA`.`SCHEMATA` WHERE `SCHEMA_NAME` "
            f"NOT IN ({marks}) ORDER BY `SCHEMA_NAME`", SYSTEM_SCHEMAS))
    for s, t in rows:
        s, t = _s(s), _s(t)
        if t == TABLE and s == rev_schema:
            out.append(TABLE)
        else:
            out.append(t if bound else f"{s}.{t}")
    return out


def not_clean_reason(tables) -> str | None:
    schemas = getattr(tables, "schemas", None)
    if schemas is None:
        if not tables or list(tables) == [TABLE]:
            return None
        schema = getattr(tables, "schema", "")
        return f"found table {go_quote(tables[0])} in schema {go_quote(schema)}"
    rev = getattr(tables, "revisions_schema", "")
    if len(schemas) > 1:
        return f"found multiple schemas: {len(schemas)}"
    if len(schemas) == 1 and schemas[0] != rev:
        return f"found schema {go_quote(schemas[0])}"
    if len(tables) > 1:
        return f"found multiple tables: {len(tables)}"
    if len(tables) == 1 and tables[0] != TABLE:
        return f"found table {go_quote(tables[0].split('.', 1)[-1])}"
    return None
