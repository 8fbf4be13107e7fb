"""Generators and benchmarks for codetape; results and commands in bench/README.md. Not timed tests."""
