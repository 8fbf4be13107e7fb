"""A managed policy that requires the relay (issue 105, item 2) only tightens: two policies together
require it when either does and may not name different gateways; an unlinkable episode under it lacks
the relay while none is configured, or while the configured one seals for another key than the policy
names (what it lacks is said), and nothing when the key is the policy's. A gateway descriptor verifies for
its operator only, and `allowed_destinations` is matched against its bucket and prefix; a gateway known by
its key alone cannot be. Nothing here connects."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from collector.errors import PolicyError
from collector.ohttp.descriptor import DescriptorError, describe, parse_descriptor
from collector.ohttp.keys import new_key
from collector.policy.managed import Managed, stricter_policy
from collector.upload.errors import DestinationError
from collector.upload.relay import Route, route
from collector.upload.routes import relay_missing
from schemas.config import UploadSettings
from schemas.settings import ManagedPolicy, RelayRequirement

RELAY = "http://127.0.0.3:8080/gateway"


def managed(relay: RelayRequirement, allowed: list[str] | None = None) -> Managed:
    return Managed(Path("/etc/codetape/policy.toml"), "0" * 64,
                   ManagedPolicy(relay=relay, allowed_destinations=allowed))


def test_two_policies_require_the_relay_when_either_does_and_one_gateway_key_only() -> None:
    key, other = (new_key().config.encode().hex() for _ in range(2))
    both = stricter_policy(ManagedPolicy(relay=RelayRequirement(required=True)),
                           ManagedPolicy(relay=RelayRequirement(gateway_key=key)), where="a and b")
    assert both.relay == RelayRequirement(required=True, gateway_key=key)
    same = stricter_policy(ManagedPolicy(relay=RelayRequirement(gateway_key=key.upper())),
                           ManagedPolicy(relay=RelayRequirement(gateway_key=key)), where="a and b")
    assert same.relay.gateway_key is not None
    with pytest.raises(PolicyError, match="name different gateways"):
        stricter_policy(ManagedPolicy(relay=RelayRequirement(gateway_key=key)),
                        ManagedPolicy(relay=RelayRequirement(gateway_key=other)), where="a and b")


def test_an_unlinkable_episode_lacks_the_relay_or_its_key_and_says_which() -> None:
    key, other = Route(RELAY, new_key().config, 1.0), Route(RELAY, new_key().config, 1.0)
    required = managed(RelayRequirement(required=True))
    assert "none is configured" in str(relay_missing(required, None))
    assert relay_missing(required, key) is None
    assert relay_missing(managed(RelayRequirement()), None) is None
    assert relay_missing(None, None) is None
    named = managed(RelayRequirement(required=True, gateway_key=key.key.encode().hex()))
    assert relay_missing(named, key) is None
    assert "another gateway key" in str(relay_missing(named, other))


def test_a_descriptor_verifies_for_its_operator_and_names_where_the_gateway_writes() -> None:
    key, operator = new_key().config, Ed25519PrivateKey.generate()
    text = describe(key, "drop", "team/a", operator)
    found = parse_descriptor(text)
    assert found.key == key and found.url == "s3://drop/team/a"
    statement, signature = text.split(".")
    forged = describe(key, "elsewhere", "team/a", Ed25519PrivateKey.generate()).split(".")[0]
    with pytest.raises(DescriptorError, match="does not verify"):
        parse_descriptor(f"{forged}.{signature}")  # another bucket under the operator's signature
    with pytest.raises(DescriptorError, match="is not one"):
        parse_descriptor(statement)


def test_allowed_destinations_are_matched_against_the_descriptor_s_bucket_not_a_bare_key() -> None:
    key, operator = new_key().config, Ed25519PrivateKey.generate()
    allowed = managed(RelayRequirement(), ["s3://drop/team"])
    inside = Route(RELAY, key, 1.0, parse_descriptor(describe(key, "drop", "team/a", operator)))
    outside = Route(RELAY, key, 1.0, parse_descriptor(describe(key, "other", "team", operator)))
    assert relay_missing(allowed, inside) is None
    assert "s3://other/team (its descriptor, signed by its operator), which the policy does not allow" in \
        str(relay_missing(allowed, outside))
    assert "the gateway's bucket is not known" in str(relay_missing(allowed, Route(RELAY, key, 1.0)))
    assert relay_missing(managed(RelayRequirement()), Route(RELAY, key, 1.0)) is None


def test_the_policy_s_gateway_stands_in_for_an_unset_one_and_a_descriptor_must_agree_with_the_key() -> None:
    key, operator = new_key().config, Ed25519PrivateKey.generate()
    descriptor = describe(key, "drop", "team", operator)
    settings = UploadSettings(relay=RELAY)
    through = route(settings, RelayRequirement(gateway_key=key.encode().hex()))
    assert through is not None and through.key == key and through.descriptor is None
    pinned = route(settings, RelayRequirement(gateway=descriptor))
    assert pinned is not None and pinned.key == key and pinned.descriptor is not None
    assert route(UploadSettings(), RelayRequirement(gateway_key=key.encode().hex())) is None
    mine = route(UploadSettings(relay=RELAY, gateway=descriptor))
    assert mine is not None and mine.descriptor is not None and mine.descriptor.url == "s3://drop/team"
    with pytest.raises(DestinationError, match="is not the key of"):
        route(UploadSettings(relay=RELAY, gateway=descriptor, gateway_key=new_key().config.encode().hex()))
