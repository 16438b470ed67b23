"""``atoll migrate import``: convert another tool's migration directory into Atlas's format."""

from __future__ import annotations

import click

from .options import invocation, project_options


@click.command("import")
@click.option("--from", "from_", default="file://migrations",
              help="select migration directory using URL format (the tool's format in "
                   "?format=goose|golang-migrate|flyway|liquibase|dbmate)")
@click.option("--to", default="file://migrations",
              help="select migration directory using URL format (must hold no migration "
                   "files; created if missing)")
@click.option("--dir-format", default="atlas",
              help="select migration file format of --from (when its URL names none)")
@project_options
@click.pass_context
def import_cmd(ctx: click.Context, **_):
    """Import a migration directory from another migration tool into Atlas's format: one
    file per migration with its up part only, and a fresh atlas.sum."""
    inv = invocation(ctx, "migrate import")
    from ..migrate.formats import with_format
    from ..migrate.formats.importer import import_dir

    source = with_format(inv.get("from_") or "file://migrations", inv.get("dir_format") or "")
    if import_dir(source, inv.get("to") or "file://migrations") is None:
        click.echo("nothing to import", err=True)
