"""`DestinationRef`: a destination as a receipt remembers it (its own module, so that parsing a
destination builds no receipt model until a receipt is read or written)."""

from __future__ import annotations

from schemas.common import Model
from schemas.compiled import compile_module


class DestinationRef(Model, frozen=True, kw_only=True):
    """A destination as a receipt remembers it: enough to reach it again, no credentials."""

    url: str
    endpoint_url: str | None = None  # as configured (None: the AWS configuration's)
    endpoint: str | None = None  # where the requests actually went (s3://)
    region: str | None = None
    profile: str | None = None
    allow_insecure: bool = False  # plain http:// off loopback was allowed when it was reached

    @property
    def identity(self) -> tuple[str, str | None]:
        return self.url, self.endpoint_url

    def describe(self) -> str:
        return self.url if self.endpoint is None else f"{self.url} via {self.endpoint}"


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
