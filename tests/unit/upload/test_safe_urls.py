"""URLs as messages quote them (collector/safe_urls.py): a URL's user and password are masked however
malformed the URL; what holds none is left as it is."""

from __future__ import annotations

import pytest

from collector.safe_urls import holds_credentials, safe_text, safe_url


@pytest.mark.parametrize(("url", "shown"), [
    ("https://user:p@ss@host:port/", "https://***@host:port/"),
    ("postgres://u:secret@[bad", "postgres://***@[bad"),
    ("s3://AKIAQ3EGUIJ2ZK4PLMXW:tN4q8/Xk2Lr7@bucket", "s3://***@bucket"),
    ("s3://u:my secret@bucket/x", "s3://***@bucket/x"),  # a space in the password: still one URL
    ("https://ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4@github.com/a/b", "https://***@github.com/a/b"),
    ("deploy:hunter22@host", "***@host"),  # no scheme at all
])
def test_credentials_in_a_url_are_masked(url: str, shown: str) -> None:
    assert safe_url(url) == shown and holds_credentials(url)


@pytest.mark.parametrize("url", ["s3://bucket/prefix", "file:///srv/@team/episodes", "https://host:9000/x",
                                 "/srv/episodes", "https://@host/"])
def test_a_url_without_credentials_is_left(url: str) -> None:
    assert safe_url(url) == url and not holds_credentials(url)


def test_every_url_in_a_text_is_masked() -> None:
    text = ("cannot reach 'https://u:p4ss@a.example/x' nor \"ftp://k:s3cr3t@b.example\": "
            "Invalid endpoint: http://v:w0rd@[c.example")
    assert safe_text(text) == ("cannot reach 'https://***@a.example/x' nor \"ftp://***@b.example\": "
                               "Invalid endpoint: http://***@[c.example")
    assert safe_text("mail me@example.org, see file:///srv/@x") == "mail me@example.org, see file:///srv/@x"
