"""atoll: Atlas-compatible schema migrations for fleets of databases."""

__version__ = "0.1.0"
