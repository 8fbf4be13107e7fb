"""What tests (and benchmarks) build on: generated coding sessions (sessions.py and what it types
with), a SeaweedFS S3 server on loopback, an LSP client."""
