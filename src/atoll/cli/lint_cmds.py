"""``atoll migrate lint``: run the analyzers on the new files of a migration directory."""

from __future__ import annotations

import sys

import click

from .options import invocation, project_options


def lint_config(inv):
    """The project's ``lint`` block (the env's, merged with the top-level one), or None."""
    source = getattr(inv.env, "lint", None) if inv.env is not None else None
    if source is None and inv.project is not None:
        source = getattr(inv.project, "lint", None)
    return source


@click.command("lint")
@click.option("--dir", default="file://migrations", help="select migration directory using URL format")
@click.option("--dir-format", default="atlas", help="select migration file format")
@click.option("--dev-url", default="", help="[driver://username:password@address/dbname?param=value] select a dev database using the URL format")
@click.option("--latest", type=int, default=None, help="run analysis on the latest N migration files")
@click.option("--git-base", default="", help="run analysis against the base Git branch")
@click.option("--git-dir", default="", help="path to the repository working directory")
@click.option("--format", "--log", "format_", default="", help="json for a JSON report, or a Go template run on it ('{{ json . }}')")
@project_options
@click.pass_context
def lint_cmd(ctx: click.Context, **_):
    """Run analysis on the migration directory: destructive, data-dependent and other risky
    changes are reported; errors exit 1 (for CI)."""
    inv = invocation(ctx, "migrate lint")
    dev = inv.require("dev_url", 'required flag(s) "dev-url" not set')
    from ..migrate.formats import open_dir
    from ..migrate.lint import lint_dir
    from ..migrate.lint.report import lint_json, render_lint, template_data

    config = lint_config(inv)
    template = inv.get("format_") or (config.log if config is not None else "")
    report = lint_dir(open_dir(inv.get("dir") or "file://migrations"), dev,
                      latest=inv.get("latest"), git_base=inv.get("git_base") or None,
                      git_dir=inv.get("git_dir") or None, config=config)
    if template.strip() in ("{{ json . }}", "{{json .}}", "json"):
        click.echo(lint_json(report), nl=False)
    elif template:
        from .formats import OutputFormat
        from .template_structs import MIGRATE_LINT

        click.echo(OutputFormat("template", text=template).render(template_data(report),
                                                                  MIGRATE_LINT), nl=False)
    else:
        click.echo(render_lint(report, color=sys.stdout.isatty()), nl=False)
    if report.exit_code:
        sys.exit(report.exit_code)
