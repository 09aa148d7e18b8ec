"""Benchmarks for oms: each figure is printed beside a floor measured in the same run."""
