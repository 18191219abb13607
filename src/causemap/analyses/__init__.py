"""Analyses of a causal graph: pure functions that return plain data."""
