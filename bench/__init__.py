"""Benchmarks for causemap; ``make bench`` runs ``bench/run.py`` and prints one table."""
