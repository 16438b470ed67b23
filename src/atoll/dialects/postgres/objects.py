"""Objects other than tables that make a PostgreSQL schema "not clean" for a first
``migrate apply`` (views, materialized views, functions and procedures, standalone sequences,
enum/domain/composite types). Atlas's community build counts only tables and so migrates a
schema holding, say, an enum and a function as if it were empty; atoll refuses it unless
``--allow-dirty`` or ``--baseline`` is given. Extension-owned objects do not count."""

from __future__ import annotations

from ..base import Connection

_SYSTEM = ["information_schema", "pg_catalog", "pg_toast"]

_QUERY = """SELECT kind, nspname, name FROM (
  SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
         ELSE 'sequence' END AS kind, n.nspname, c.relname AS name, c.oid,
         'pg_class'::regclass AS cls
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('v', 'm', 'S')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname,
         p.proname, p.oid, 'pg_proc'::regclass
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  UNION ALL
  SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'type' END,
         n.nspname, t.typname, t.oid, 'pg_type'::regclass
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typtype IN ('e', 'd')
     OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
) o
WHERE NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = o.cls AND e.objid = o.oid
                  AND e.deptype = 'e')
  AND {scope}
ORDER BY nspname, kind, name"""


def user_objects(conn: Connection) -> list[str]:
    """Non-table objects in the URL's schema (or every user schema), as ``view "v"``."""
    bound = getattr(conn, "bound_schema", "")
    if bound:
        rows = conn.query(_QUERY.format(scope="nspname = %s"), (bound,))
        return [f'{kind} "{name}"' for kind, _, name in rows]
    rows = conn.query(_QUERY.format(scope="nspname <> ALL(%s) AND nspname !~ '^pg_'"),
                      (_SYSTEM,))
    return [f'{kind} "{schema}.{name}"' for kind, schema, name in rows]
