"""The schema model (plain frozen dataclasses) and the diff between two schemas."""
