"""Fleets: one command over many databases, in parallel, with one report."""
