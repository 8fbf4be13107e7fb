"""Dataset builds: verified signed episodes in, Parquet tables out (local process pool or Ray)."""
