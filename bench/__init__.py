"""Benchmark of the customer_archive module at up to a million customers."""
