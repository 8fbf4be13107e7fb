"""`DestinationRef`: a destination as a receipt remembers it (its own module, so that parsing a
destination loads no pydantic until a receipt is read or written)."""

from __future__ import annotations

import pydantic


class DestinationRef(pydantic.BaseModel):
    """A destination as a receipt remembers it: enough to reach it again, no credentials."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

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
