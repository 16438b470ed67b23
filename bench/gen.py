"""Workload generators for the benchmarks, plus the few measurement helpers they share.

Everything is deterministic (no randomness, no clock), so two runs measure the same work:

* ``schema_tables`` describes an N-table schema once; ``schema_hcl``, ``schema_sql`` and
  ``sqlalchemy_metadata`` render that one description for atoll, for plain SQLite and for
  Alembic, so every tool gets the same tables, columns, indexes, defaults and foreign keys.
* ``migration_files`` is a 20-file migration history (tables, added columns, indexes, data
  inserts and updates); ``write_atlas_dir`` / ``write_yoyo_dir`` lay it out for each tool.
* ``fleet_config`` writes an ``atlas.hcl`` whose ``for_each`` env covers every shard.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
# Work files (git-ignored). `run.py --quick` uses a sub-folder so a smoke test never touches a
# full run's files; children inherit the choice through the environment.
WORK = os.environ.get("ATOLL_BENCH_WORK") or os.path.join(BENCH_DIR, ".work")
BIN = os.path.dirname(sys.executable)  # the venv's bin/: atoll, yoyo, python
PYTHON = sys.executable


class NotAvailable(Exception):
    """The feature a row measures is not there (yet): the row prints the reason."""


# --- schema workload -------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    name: str
    kind: str              # key into _TYPES
    null: bool = True
    default: object = None  # int | float | str | ("sql", "CURRENT_TIMESTAMP") | None


@dataclass(frozen=True)
class Tab:
    name: str
    cols: tuple[Col, ...]
    indexes: tuple[tuple[str, bool, tuple[str, ...]], ...]  # (name, unique, columns)
    fk: tuple[str, str, str, str]                            # (name, column, ref_table, on_delete)


# kind → (HCL type, SQL type)
_TYPES = {
    "int": ("integer", "integer"),
    "varchar": ("varchar(255)", "varchar(255)"),
    "text": ("text", "text"),
    "real": ("real", "real"),
    "bool": ("boolean", "boolean"),
    "datetime": ("datetime", "datetime"),
    "decimal": ("decimal(10,2)", "decimal(10,2)"),
    "blob": ("blob", "blob"),
}

# Columns 3..15 of every table: a fixed mix of types, nullability and defaults.
_MIX = (
    ("name", "varchar", False, None),
    ("email", "varchar", False, None),
    ("code", "varchar", False, None),
    ("title", "text", True, None),
    ("status", "varchar", False, "active"),
    ("score", "int", False, 0),
    ("ratio", "real", True, 1.5),
    ("price", "decimal", True, None),
    ("enabled", "bool", False, True),
    ("created_at", "datetime", False, ("sql", "CURRENT_TIMESTAMP")),
    ("updated_at", "datetime", True, None),
    ("payload", "blob", True, None),
    ("notes", "text", True, None),
)


def schema_tables(n: int) -> list[Tab]:
    """``n`` tables × 15 columns × 2 indexes (one unique), an integer primary key and one
    foreign key each (table i → table i-1; the first table references itself)."""
    tables = []
    for i in range(n):
        name = f"t{i:04d}"
        cols = [Col("id", "int", False), Col("parent_id", "int", True)]
        cols += [Col(c, k, nl, d) for c, k, nl, d in _MIX]
        ref = f"t{i - 1:04d}" if i else name
        tables.append(Tab(
            name, tuple(cols),
            ((f"{name}_email_uq", True, ("email",)),
             (f"{name}_status_score", False, ("status", "score"))),
            (f"{name}_parent_fk", "parent_id", ref, "CASCADE"),
        ))
    return tables


def _hcl_default(d: object) -> str:
    if isinstance(d, tuple):
        return f'sql("{d[1]}")'
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, str):
        return json.dumps(d)
    return repr(d)


def schema_hcl(tables: list[Tab]) -> str:
    """The Atlas HCL schema file for ``tables``."""
    out = ['schema "main" {\n}\n']
    for t in tables:
        out.append(f'\ntable "{t.name}" {{\n  schema = schema.main\n')
        for c in t.cols:
            out.append(f'  column "{c.name}" {{\n    null = {"true" if c.null else "false"}\n'
                       f'    type = {_TYPES[c.kind][0]}\n')
            if c.default is not None:
                out.append(f"    default = {_hcl_default(c.default)}\n")
            out.append("  }\n")
        out.append("  primary_key {\n    columns = [column.id]\n  }\n")
        fk_name, col, ref, on_delete = t.fk
        out.append(f'  foreign_key "{fk_name}" {{\n    columns     = [column.{col}]\n'
                   f'    ref_columns = [table.{ref}.column.id]\n'
                   f'    on_update   = NO_ACTION\n    on_delete   = {on_delete}\n  }}\n')
        for name, unique, cols in t.indexes:
            refs = ", ".join(f"column.{c}" for c in cols)
            out.append(f'  index "{name}" {{\n' + ("    unique  = true\n" if unique else "")
                       + f"    columns = [{refs}]\n  }}\n")
        out.append("}\n")
    return "".join(out)


def _sql_default(d: object) -> str:
    if isinstance(d, tuple):
        return d[1]
    if isinstance(d, bool):
        return "1" if d else "0"
    if isinstance(d, str):
        return "'" + d.replace("'", "''") + "'"
    return repr(d)


def schema_sql(tables: list[Tab]) -> list[str]:
    """Plain SQLite DDL for ``tables`` (used only when atoll's planner is not available)."""
    stmts = []
    for t in tables:
        cols = []
        for c in t.cols:
            s = f'"{c.name}" {_TYPES[c.kind][1]}' + ("" if c.null else " NOT NULL")
            if c.default is not None:
                s += f" DEFAULT {_sql_default(c.default)}"
            cols.append(s)
        fk_name, col, ref, on_delete = t.fk
        cols.append('PRIMARY KEY ("id")')
        cols.append(f'CONSTRAINT "{fk_name}" FOREIGN KEY ("{col}") REFERENCES "{ref}" ("id") '
                    f"ON UPDATE NO ACTION ON DELETE {on_delete}")
        stmts.append(f'CREATE TABLE "{t.name}" ({", ".join(cols)})')
        for name, unique, icols in t.indexes:
            stmts.append(f'CREATE {"UNIQUE " if unique else ""}INDEX "{name}" ON "{t.name}" '
                         f'({", ".join(chr(34) + c + chr(34) for c in icols)})')
    return stmts


def sqlalchemy_metadata(tables: list[Tab]):
    """The same schema as SQLAlchemy ``MetaData`` (for Alembic's ``compare_metadata``)."""
    import sqlalchemy as sa

    types = {
        "int": sa.Integer, "varchar": lambda: sa.String(255), "text": sa.Text,
        "real": sa.Float, "bool": sa.Boolean, "datetime": sa.DateTime,
        "decimal": lambda: sa.Numeric(10, 2), "blob": sa.LargeBinary,
    }
    md = sa.MetaData()
    for t in tables:
        cols = []
        for c in t.cols:
            kw = {"nullable": c.null}
            if c.default is not None:
                kw["server_default"] = sa.text(_sql_default(c.default))
            if c.name == "id":
                kw["primary_key"] = True
                kw["autoincrement"] = False
            if c.name == t.fk[1]:
                cols.append(sa.Column(c.name, types[c.kind](), sa.ForeignKey(
                    f"{t.fk[2]}.id", name=t.fk[0], ondelete=t.fk[3], onupdate="NO ACTION"),
                    **kw))
            else:
                cols.append(sa.Column(c.name, types[c.kind](), **kw))
        idx = [sa.Index(n, *ic, unique=u) for n, u, ic in t.indexes]
        sa.Table(t.name, md, *cols, *idx)
    return md


# --- migration directory workload -------------------------------------------------------------

@dataclass
class MigrationFile:
    name: str                # 20240101000001_create_users.sql
    statements: list[str]    # without the trailing ';'
    text: str = field(default="")

    def __post_init__(self):
        if not self.text:
            self.text = "".join(s + ";\n" for s in self.statements)


def _rows(fmt, start: int, count: int, batch: int) -> list[str]:
    """INSERT statements for rows ``start..start+count-1``; ``batch`` rows per statement."""
    out = []
    for lo in range(start, start + count, batch):
        hi = min(lo + batch, start + count)
        out.append(fmt[0] + ", ".join(fmt[1](i) for i in range(lo, hi)))
    return out


def migration_files(unit: int) -> list[MigrationFile]:
    """A 20-file history of a small shop application. ``unit`` scales the data: with
    ``unit=1000`` the inserts add 1000 users (one INSERT each), 1000 products (100 rows per
    INSERT), 1500 orders (one each), 3000 order lines (100 per INSERT) and 50 tags: 6,550 rows.
    Versions are 14-digit timestamps, as ``migrate new`` writes them."""
    u = max(unit, 1)
    users = ("INSERT INTO users (id, email, name) VALUES ",
             lambda i: f"({i}, 'user{i}@example.com', 'User {i}')")
    products = ("INSERT INTO products (id, sku, name, price) VALUES ",
                lambda i: f"({i}, 'SKU-{i:06d}', 'Product {i}', {i % 997}.{i % 100:02d})")
    orders = ("INSERT INTO orders (id, user_id, placed_at) VALUES ",
              lambda i: f"({i}, {1 + i % u}, '2024-01-{1 + i % 28:02d} 12:00:00')")
    lines = ("INSERT INTO order_items (order_id, product_id, quantity) VALUES ",
             lambda i: f"({1 + i % (u * 3 // 2 or 1)}, {1 + i % u}, {1 + i % 5})")
    tags = ("INSERT INTO tags (id, name) VALUES ", lambda i: f"({i}, 'tag-{i}')")
    plan = [
        ("create_users", [
            "CREATE TABLE users (id integer NOT NULL PRIMARY KEY, email varchar(255) NOT NULL, "
            "name text NOT NULL, created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP)",
            "CREATE UNIQUE INDEX users_email ON users (email)"]),
        ("create_products", [
            "CREATE TABLE products (id integer NOT NULL PRIMARY KEY, sku varchar(64) NOT NULL, "
            "name text NOT NULL, price decimal(10,2) NOT NULL DEFAULT 0)",
            "CREATE UNIQUE INDEX products_sku ON products (sku)"]),
        ("create_orders", [
            "CREATE TABLE orders (id integer NOT NULL PRIMARY KEY, user_id integer NOT NULL, "
            "placed_at datetime NOT NULL, CONSTRAINT orders_user_fk FOREIGN KEY (user_id) "
            "REFERENCES users (id) ON DELETE CASCADE)",
            "CREATE INDEX orders_user ON orders (user_id)"]),
        ("create_order_items", [
            "CREATE TABLE order_items (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
            "order_id integer NOT NULL, product_id integer NOT NULL, quantity integer NOT NULL "
            "DEFAULT 1, CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES "
            "orders (id) ON DELETE CASCADE, CONSTRAINT order_items_product_fk FOREIGN KEY "
            "(product_id) REFERENCES products (id))",
            "CREATE INDEX order_items_order ON order_items (order_id)"]),
        ("seed_users", _rows(users, 1, u, 1)),
        ("seed_products", _rows(products, 1, u, 100)),
        ("add_users_last_login", [
            "ALTER TABLE users ADD COLUMN last_login datetime NULL",
            "ALTER TABLE users ADD COLUMN country varchar(2) NOT NULL DEFAULT 'JP'"]),
        ("index_users_country", ["CREATE INDEX users_country ON users (country, last_login)"]),
        ("seed_orders", _rows(orders, 1, u * 3 // 2, 1)),
        ("create_audit_log", [
            "CREATE TABLE audit_log (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
            "entity text NOT NULL, entity_id integer NOT NULL, action text NOT NULL, "
            "at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP)",
            "CREATE INDEX audit_log_entity ON audit_log (entity, entity_id)"]),
        ("add_products_stock", [
            "ALTER TABLE products ADD COLUMN stock integer NOT NULL DEFAULT 0",
            "ALTER TABLE products ADD COLUMN discontinued boolean NOT NULL DEFAULT false"]),
        ("backfill_products_stock", [
            "UPDATE products SET stock = (id * 7) % 100",
            "UPDATE products SET discontinued = true WHERE id % 50 = 0"]),
        ("seed_order_items", _rows(lines, 0, u * 3, 100)),
        ("create_tags", [
            "CREATE TABLE tags (id integer NOT NULL PRIMARY KEY, name varchar(64) NOT NULL)",
            "CREATE UNIQUE INDEX tags_name ON tags (name)",
            "CREATE TABLE product_tags (product_id integer NOT NULL, tag_id integer NOT NULL, "
            "PRIMARY KEY (product_id, tag_id), CONSTRAINT product_tags_product_fk FOREIGN KEY "
            "(product_id) REFERENCES products (id) ON DELETE CASCADE, CONSTRAINT "
            "product_tags_tag_fk FOREIGN KEY (tag_id) REFERENCES tags (id) ON DELETE CASCADE)"]),
        ("seed_tags", _rows(tags, 1, 50, 50) + [
            "INSERT INTO product_tags (product_id, tag_id) SELECT id, 1 + id % 50 FROM products"]),
        ("add_orders_status", [
            "ALTER TABLE orders ADD COLUMN status varchar(16) NOT NULL DEFAULT 'new'",
            "ALTER TABLE orders ADD COLUMN total decimal(12,2) NULL"]),
        ("index_orders_status", ["CREATE INDEX orders_status ON orders (status, placed_at)"]),
        ("backfill_orders", [
            "UPDATE orders SET status = 'shipped' WHERE id % 3 = 0",
            "UPDATE orders SET total = (SELECT sum(p.price * i.quantity) FROM order_items i "
            "JOIN products p ON p.id = i.product_id WHERE i.order_id = orders.id)"]),
        ("create_sessions", [
            "CREATE TABLE sessions (token varchar(64) NOT NULL PRIMARY KEY, user_id integer "
            "NOT NULL, expires_at datetime NOT NULL, CONSTRAINT sessions_user_fk FOREIGN KEY "
            "(user_id) REFERENCES users (id) ON DELETE CASCADE)",
            "CREATE INDEX sessions_user ON sessions (user_id)"]),
        ("audit_seed_events", [
            "INSERT INTO audit_log (entity, entity_id, action) SELECT 'order', id, 'created' "
            "FROM orders WHERE id % 10 = 0",
            "CREATE INDEX audit_log_at ON audit_log (at)"]),
    ]
    assert len(plan) == 20
    return [MigrationFile(f"202401010000{n + 1:02d}_{name}.sql", stmts)
            for n, (name, stmts) in enumerate(plan)]


CHECK_QUERY = ("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM products), "
               "(SELECT count(*) FROM orders), (SELECT count(*) FROM order_items), "
               "(SELECT count(*) FROM product_tags), (SELECT count(*) FROM audit_log), "
               "(SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'index') "
               "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'atlas_%' "
               "AND name NOT LIKE 'yoyo%' AND name NOT LIKE '_yoyo%')")


def check_db(path: str) -> tuple:
    """What a correctly migrated database holds (row counts and object count): every tool's
    result is compared with the floor's, so a fast but wrong run cannot pass."""
    con = sqlite3.connect(path)
    try:
        return con.execute(CHECK_QUERY).fetchone()
    finally:
        con.close()


def atlas_sum(files: list[tuple[str, bytes]]) -> str:
    """``atlas.sum`` for ``files`` (spec/migrate.md §2.2)."""
    h = hashlib.sha256()
    lines = []
    for name, data in files:
        h.update(name.encode())
        h.update(data)
        lines.append((name, base64.b64encode(h.copy().digest()).decode()))
    total = hashlib.sha256("".join(n + s for n, s in lines).encode()).digest()
    return "".join([f"h1:{base64.b64encode(total).decode()}\n"]
                   + [f"{n} h1:{s}\n" for n, s in lines])


def write_atlas_dir(path: str, files: list[MigrationFile]) -> str:
    fresh_dir(path)
    for f in files:
        with open(os.path.join(path, f.name), "w", encoding="utf-8") as fh:
            fh.write(f.text)
    with open(os.path.join(path, "atlas.sum"), "w", encoding="utf-8") as fh:
        fh.write(atlas_sum([(f.name, f.text.encode()) for f in files]))
    return path


def write_yoyo_dir(path: str, files: list[MigrationFile]) -> str:
    """yoyo's layout: the same SQL files, each declaring the previous one as its dependency
    (yoyo orders by a dependency graph; no atlas.sum)."""
    fresh_dir(path)
    prev = None
    for f in files:
        ident = f.name[:-4]
        head = f"-- depends: {prev}\n" if prev else ""
        with open(os.path.join(path, f.name), "w", encoding="utf-8") as fh:
            fh.write(head + f.text)
        prev = ident
    return path


def floor_apply(db_path: str, files: list[str]) -> None:
    """The floor: read each file, run its statements through stdlib sqlite3 in one
    transaction per file. Splitting is ``text.split(";\\n")``, exact for these generated files
    (every statement ends with ";" + newline, none has ";" inside a literal)."""
    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        for path in files:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            con.execute("BEGIN")
            for stmt in text.split(";\n"):
                if stmt.strip():
                    con.execute(stmt)
            con.execute("COMMIT")
    finally:
        con.close()


def fleet_config(path: str, master_db: str, master_dir: str, shard_dir: str,
                 shard_dbs: list[str], env: str = "fleet") -> str:
    """An atlas.hcl with two blocks of env ``env``: the master, then one ``for_each`` block
    over every shard file (duplicate labels run together: spec/project.md §5.6)."""
    names = ",\n    ".join(json.dumps(os.path.splitext(os.path.basename(p))[0])
                           for p in shard_dbs)
    shard_home = os.path.dirname(shard_dbs[0]) if shard_dbs else WORK
    # The shard directory goes through a local: a quoted template with a long literal before
    # its first "${" makes atoll's HCL lexer backtrack exponentially (reported; keep it short).
    text = f'''# Generated by bench/gen.py: 1 master + {len(shard_dbs)} shards.
locals {{
  shard_home = "{shard_home}"
}}

env "{env}" {{
  url = "sqlite://{master_db}"
  migration {{
    dir = "file://{master_dir}"
  }}
}}

env "{env}" {{
  for_each = toset([
    {names}
  ])
  url = "sqlite://${{local.shard_home}}/${{each.value}}.db"
  migration {{
    dir = "file://{shard_dir}"
  }}
}}
'''
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


# --- measurement helpers ---------------------------------------------------------------------

def ratio_row(row: str, what: str, secs: float | None, vs: str, vs_secs: float | None,
              goal: str = "", limit: float | None = None, note: str = "",
              unit: str = "s") -> dict:
    """One table row. ``ratio`` = atoll ÷ comparison; the goal is met when ratio ≤ limit."""
    ratio = secs / vs_secs if secs is not None and vs_secs else None
    met = None if limit is None or ratio is None else ratio <= limit
    return {"row": row, "what": what, "secs": secs, "vs": vs, "vs_secs": vs_secs,
            "ratio": ratio, "goal": goal, "met": met, "note": note, "unit": unit}


def na_row(row: str, what: str, reason: str) -> dict:
    return {"row": row, "what": what, "na": reason}


def settle() -> None:
    """Flush the page cache before a timed step: on ext4 an fsync also commits every pending
    metadata change (e.g. the rmtree of a previous run's 1000 files), which would otherwise be
    charged to whichever SQLite commit comes next."""
    os.sync()


def fresh_dir(path: str) -> str:
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def work(*parts: str) -> str:
    return os.path.join(WORK, *parts)


def tool(name: str) -> str:
    path = os.path.join(BIN, name)
    if not os.path.exists(path):
        raise NotAvailable(f"{path} not installed")
    return path


@dataclass
class Timed:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    maxrss_kb: int = 0
    cpu: float = 0.0  # user + system seconds of the child (run_timed only)


def run_timed(cmd: list[str], *, cwd: str | None = None, env: dict | None = None,
              timeout: float = 900) -> Timed:
    """Run ``cmd``; wall time from spawn to exit, and the child's CPU time."""
    settle()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise NotAvailable(f"{os.path.basename(cmd[0])} timed out after {timeout:.0f} s")
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(seconds, proc.returncode, out, err, cpu=cpu)


def run_rss(cmd: list[str], *, cwd: str | None = None, timeout: float = 900) -> Timed:
    """Like ``run_timed`` but reaps the child with ``os.wait4`` to get its own ``ru_maxrss``
    (KiB on Linux). Output goes to files so the pipes never block."""
    out_path, err_path = work("rss.out"), work("rss.err")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        settle()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise NotAvailable(f"{os.path.basename(cmd[0])} timed out after {timeout:.0f} s")
            time.sleep(0.002)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path) as fh:
        stdout = fh.read()
    with open(err_path) as fh:
        stderr = fh.read()
    return Timed(seconds, proc.returncode, stdout, stderr, usage.ru_maxrss)


def failure(t: Timed, what: str) -> NotAvailable:
    lines = [ln for ln in (t.stderr.strip() or t.stdout.strip()).splitlines() if ln.strip()]
    return NotAvailable(f"{what} exited {t.returncode}: {lines[-1][:160] if lines else ''}")


def median_of(fn, n: int) -> float:
    return statistics.median(fn() for _ in range(n))


def child(module: str, func: str, timeout: float = 900, **kwargs) -> dict:
    """Run ``bench/<module>.py``'s ``func(**kwargs)`` in a fresh interpreter (so rows never
    share imports, caches or garbage) and return the dict it returns. A missing atoll module
    or function becomes ``NotAvailable``."""
    code = ("import json, sys; sys.path.insert(0, %r); import %s as m; "
            "r = m.%s(**json.loads(sys.argv[1])); print('\\n@@RESULT ' + json.dumps(r))"
            % (BENCH_DIR, module, func))
    proc = subprocess.run([PYTHON, "-c", code, json.dumps(kwargs)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("@@RESULT "):
            return json.loads(line[len("@@RESULT "):])
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    last = lines[-1] if lines else f"exit {proc.returncode}"
    if any(k in last for k in ("ModuleNotFoundError", "ImportError", "AttributeError",
                               "NotAvailable", "NotImplementedError")):
        raise NotAvailable(last.split(": ", 1)[-1][:160])
    raise NotAvailable(f"child failed: {last[:200]}")
