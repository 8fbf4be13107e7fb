"""Exports of episodes to the training formats people use (jsonl, ATIF, zeta, ProgSnap2)."""
