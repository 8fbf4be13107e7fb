"""A managed policy that requires the relay (issue 105, item 2) only tightens: two policies together
require it when either does and may not name different gateway keys; an unlinkable episode under it lacks
the relay while none is configured, or while the configured one seals for another key than the policy
names (what it lacks is said), and nothing when the key is the policy's. Nothing here connects."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.errors import PolicyError
from collector.ohttp.keys import new_key
from collector.policy.managed import Managed, stricter_policy
from collector.upload.relay import route
from collector.upload.routes import relay_missing
from schemas.config import UploadSettings
from schemas.settings import ManagedPolicy, RelayRequirement


def managed(relay: RelayRequirement) -> Managed:
    return Managed(Path("/etc/codetape/policy.toml"), "0" * 64, ManagedPolicy(relay=relay))


def test_two_policies_require_the_relay_when_either_does_and_one_gateway_key_only() -> None:
    key, other = (new_key().config.encode().hex() for _ in range(2))
    both = stricter_policy(ManagedPolicy(relay=RelayRequirement(required=True)),
                           ManagedPolicy(relay=RelayRequirement(gateway_key=key)), where="a and b")
    assert both.relay == RelayRequirement(required=True, gateway_key=key)
    same = stricter_policy(ManagedPolicy(relay=RelayRequirement(gateway_key=key.upper())),
                           ManagedPolicy(relay=RelayRequirement(gateway_key=key)), where="a and b")
    assert same.relay.gateway_key is not None
    with pytest.raises(PolicyError, match="name different gateway keys"):
        stricter_policy(ManagedPolicy(relay=RelayRequirement(gateway_key=key)),
                        ManagedPolicy(relay=RelayRequirement(gateway_key=other)), where="a and b")


def test_an_unlinkable_episode_lacks_the_relay_or_its_key_and_says_which() -> None:
    key, other = new_key().config, new_key().config
    required = managed(RelayRequirement(required=True))
    assert "none is configured" in str(relay_missing(required, None))
    assert relay_missing(required, key) is None
    assert relay_missing(managed(RelayRequirement()), None) is None
    assert relay_missing(None, None) is None
    named = managed(RelayRequirement(required=True, gateway_key=key.encode().hex()))
    assert relay_missing(named, key) is None
    assert "another gateway key" in str(relay_missing(named, other))


def test_the_policy_s_gateway_key_stands_in_for_an_unset_one() -> None:
    key = new_key().config
    settings = UploadSettings(relay="http://127.0.0.3:8080/gateway")
    through = route(settings, key.encode().hex())
    assert through is not None and through.key == key
    assert route(UploadSettings(), key.encode().hex()) is None  # a policy's key alone sets no relay
