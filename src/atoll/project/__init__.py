"""The project file ``atlas.hcl`` (spec/project.md): ``load_project`` evaluates it for one
``--env``; ``env_flag_defaults`` turns an env into the flag values a command takes from it."""

from .datasources import render_template
from .deployment import Deployment, DeploymentGroup
from .env import (
                  COMMAND_FLAGS,
                  DiffConfig,
                  Env,
                  FormatConfig,
                  LintConfig,
                  MigrationConfig,
                  env_flag_defaults,
                  resolve_env_ref,
)
from .loader import DEFAULT_CONFIG, Project, config_path, load_project, parse_var_flags

__all__ = [
    "COMMAND_FLAGS", "DEFAULT_CONFIG", "Deployment", "DeploymentGroup", "DiffConfig", "Env",
    "FormatConfig", "LintConfig", "MigrationConfig", "Project", "config_path",
    "env_flag_defaults", "load_project", "parse_var_flags", "render_template",
    "resolve_env_ref",
]
