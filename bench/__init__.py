"""Benchmarks: ``make bench`` runs every ``bench_*.py`` module here, prints a table and writes results.json."""
