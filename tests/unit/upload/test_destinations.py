"""Destinations as written by a person: what is accepted, normalised, refused; the retry command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from collector.upload.destinations import allowed, check_endpoint, episode_key, is_loopback, parse_destination
from collector.upload.errors import DestinationError
from collector.upload.outbox import retry_command
from schemas.config import UploadSettings


@pytest.mark.parametrize(("url", "normal", "bucket", "prefix"), [
    ("s3://my-bucket", "s3://my-bucket", "my-bucket", ""),
    ("s3://my-bucket/", "s3://my-bucket", "my-bucket", ""),
    ("s3://my.bucket/team//codetape/", "s3://my.bucket/team/codetape", "my.bucket", "team/codetape"),
    ("file:///srv/episodes", "file:///srv/episodes", "", ""),
    ("file://localhost/srv/with%20space", "file:///srv/with%20space", "", ""),
])
def test_accepted_destinations_are_normalised(url: str, normal: str, bucket: str, prefix: str) -> None:
    destination = parse_destination(url)
    assert (destination.url, destination.bucket, destination.prefix) == (normal, bucket, prefix)
    assert destination.ref().describe() == normal


@pytest.mark.parametrize(("url", "says"), [
    ("s3://AKIAEXAMPLE:secret@bucket/x", "must not hold credentials"),
    ("file://user@/srv", "must not hold credentials"),
    ("s3://Bucket_Name/x", "not an S3 bucket name"),
    ("s3://bucket:9000/x", "not an S3 bucket name"),
    ("s3://bucket/../x", "not a plain name"),
    ("s3://bucket/x?versionId=1", "no ?query"),
    ("file://server/share", "local directory"),
    ("file:///srv/../etc", "absolute directory"),
    ("https://example.org/upload", "unsupported"),
    ("/srv/episodes", "unsupported"),
    ("s3://[::1/x", "is not a URL"),
])
def test_malformed_or_unsafe_destinations_are_refused(url: str, says: str) -> None:
    with pytest.raises(DestinationError, match=re.escape(says)):
        parse_destination(url)


@pytest.mark.parametrize(("url", "secret"), [
    ("https://deploy:p@ss-W0rd9@host:port/", "ss-W0rd9"),
    ("s3://AKIAQ3EGUIJ2ZK4PLMXW:tN4q8Xk2/Lr7pZ0wY5vB@bucket", "tN4q8Xk2"),
    ("s3://ci:Sup3rSecretPW@bucket:port/x", "Sup3rSecretPW"),
    ("postgres://u:Sup3rSecretPW@[bad", "Sup3rSecretPW"),
    ("s3://AKIAQ3EGUIJ2ZK4PLMXW@bucket", "AKIAQ3EGUIJ2ZK4PLMXW"),
])
def test_a_malformed_url_with_credentials_is_refused_without_quoting_them(url: str, secret: str) -> None:
    """Issue 24: the parser's own error would quote a piece of the password (`Port could not be cast to
    integer value as '...'`); credentials are refused first, and the URL is quoted masked."""
    with pytest.raises(DestinationError, match="must not hold credentials") as refused:
        parse_destination(url)
    assert secret not in str(refused.value) and "***@" in str(refused.value)
    with pytest.raises(DestinationError, match="must not hold credentials") as refused:
        check_endpoint(url.replace("s3://", "https://").replace("postgres://", "https://"), False)
    assert secret not in str(refused.value)


def test_plain_http_endpoints_only_on_loopback_unless_allowed() -> None:
    for endpoint in ("https://s3.example.org", "http://127.0.0.1:8333", "http://localhost:9000",
                     "http://[::1]:9000", "http://127.8.9.10"):
        check_endpoint(endpoint, False)
    with pytest.raises(DestinationError, match=re.escape("refusing plain http:// to 192.0.2.7")):
        check_endpoint("http://192.0.2.7:9000", False)
    check_endpoint("http://192.0.2.7:9000", True)
    with pytest.raises(DestinationError, match="must not hold credentials"):
        check_endpoint("https://key:secret@s3.example.org", True)
    with pytest.raises(DestinationError, match="not an http"):
        check_endpoint("ftp://s3.example.org", True)
    settings = UploadSettings(endpoint_url="http://10.1.2.3:9000")
    with pytest.raises(DestinationError, match="--allow-insecure"):
        parse_destination("s3://bucket/x", settings)
    assert not is_loopback("127.0.0.1.example.org") and is_loopback("::1")


def test_objects_are_named_by_content_and_retries_are_shell_ready() -> None:
    assert episode_key("ab" * 32) == f"episodes/{'ab' * 32}.ctape"
    assert retry_command([]) == "codetape upload"
    assert retry_command(["0b5e"], "s3://b/my prefix", allow_insecure=True) == (
        "codetape upload 0b5e --to 's3://b/my prefix' --allow-insecure")


@pytest.mark.parametrize(("url", "ok"), [
    ("s3://acme/raw", True), ("s3://acme/raw/team", True), ("s3://acme/rawer", False), ("s3://acme", False),
    ("s3://other/raw", False), ("s3://open", True), ("s3://open/any/prefix", True),
    ("file:///srv/acme", False),
])
def test_an_allowed_destination_is_a_bucket_under_a_prefix_in_whole_segments(url: str, ok: bool) -> None:
    assert allowed(parse_destination(url), ["s3://acme/raw", "s3://open"]) is ok


def test_an_allowed_folder_is_matched_where_it_really_is(tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "ok" / "link").symlink_to(tmp_path / "out")
    entries = [(tmp_path / "ok").as_uri()]
    assert allowed(parse_destination((tmp_path / "ok").as_uri()), entries)
    assert allowed(parse_destination((tmp_path / "ok" / "new" / "dir").as_uri()), entries)
    assert not allowed(parse_destination((tmp_path / "ok" / "link").as_uri()), entries)
    assert not allowed(parse_destination((tmp_path / "okay").as_uri()), entries)
    assert not allowed(parse_destination("s3://okay"), entries)
