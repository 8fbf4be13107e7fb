"""The provider formats codetape leaves to the engine: found wherever they stand, under codetape's ids.

Codetape had its own rule for each of these formats; the engine's rule for it finds the token whatever
comes before or after it (a quote, a colon, a bracket, a URL's `@`, an escaped line break), and its
finding carries codetape's id (`engine.NAMED`), so placeholders and `rule:` allow entries stay as they were.
"""

from __future__ import annotations

import pytest

from collector.redact import RuleSet, scan
from collector.redact.rules.builtin import BUILTIN
from collector.redact.scanning.engine import NAMED

RULES = RuleSet.default()
# one token of each format (the tuned and fresh corpora's, drawn at random), and what precedes it
FORMATS = {
    "github-token": "ghp_Bt1Ca82X2CgdlurdogSiZZrwVQfFB8yJUEpX",
    "gitlab-token": "GR1348941dauZTTx6ITaY86SrHFaT",
    "slack-token": "xapp-1-AJIK7IWHISY-0600386837905-"
                   "d2891ed4ccc82056cfcdc09ccc6f36b884f5f9241e23d07419416369001ca093",
    "slack-webhook": "https://hooks.slack.com/services/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",
    "npm-token": "npm_OtIJAglcvnuwB14qNbKfGmG7Qz0YNrdEaYb3",
    "pypi-token": "pypi-AgEIcHlwaS5vcmcYYh1WFjKT1g0nYy9LXecVQ26SNBgn39WzkYQCofULurIKR0ayQdqwEk6pM_Zn55nPQFMa",
    "xai-key": "xai-nG3g9qK2etyyphrZ7MoVWBhP7jz4pnSt2HHSZsmw2WaIxo32my2PwQcd1rc8clZYWxCdSEXVdwsvyzAT",
    "perplexity-key": "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",
    "sendgrid-key": "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",
    "twilio-key": "SK2f38d8610fb0dcd7073a562b59a5ec30",
    "shopify-token": "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",
    "digitalocean-token": "dop_v1_4fbc9cdf34e5f800656d8c517ef12a78cd4a59b4087c59cc88c15911069fa8c3",
    "postman-key": "PMAK-254c8443c208b09ce375d702-da4d5840745ebdad7a89cd1b3c466014ab",
    "linear-key": "lin_api_a7z0XmRdB2jyNEMQaE5B8zerzJlUYwwOh8ImEXVT",
    "terraform-token": "FIwfjSfKis3KTk.atlasv1."
                       "EO6vTYv3rAqik6PA4ezenX5nMX1A33ecUZrpqI4t_8PymPdoDYU5GgiuyNRAXkXAO3a",
}
BEFORE = (" ", "\n", '"', "'", ":", "=", "(", ",", ";", "[", "{", "`", "<", "|")
AFTER = (" ", "\n", '"', "'", ":", ",", ")", ";", ".", "@", "]", "}", "&", "|", ">", "\\n", "#", "?", "")


def covered(text: str, token: str, rule: str | None) -> bool:
    """The secret of `token` (a webhook URL's path) is inside a finding of `rule` (None: of any rule)."""
    secret = token.rsplit("/services/", 1)[-1]
    at = text.index(secret)
    return any(f.start <= at and at + len(secret) <= f.end and rule in (None, f.rule)
               for f in scan(text, RULES))


@pytest.mark.parametrize("rule", sorted(FORMATS))
def test_each_format_is_found_whatever_stands_around_it(rule: str) -> None:
    token = FORMATS[rule]
    named = None if rule == "slack-webhook" else rule  # a webhook URL's own rule may name it (`webhook-url`)
    missed = [(b, a) for b in BEFORE for a in AFTER if not covered(f"x{b}{token}{a}", token, named)]
    assert missed == []


@pytest.mark.parametrize("rule", sorted(set(FORMATS) - {"slack-webhook"}))
def test_a_context_rule_finding_the_token_names_it_by_its_format(rule: str) -> None:
    token = FORMATS[rule]
    for text in (f"API_TOKEN={token}\n", f'password = "{token}"\n', f"curl -u {token}: https://x.test/\n"):
        assert covered(text, token, rule), text


def test_a_webhook_url_named_like_a_secret_is_hidden_by_the_longer_finding() -> None:
    url = FORMATS["slack-webhook"]
    assert covered(f"SLACK_WEBHOOK_URL={url}\n", url, None)


def test_codetape_keeps_no_rule_of_its_own_for_a_format_only_the_engine_finds() -> None:
    own = {rule.id for rule in BUILTIN}
    only_engine = {"xai-key", "perplexity-key", "sendgrid-key", "twilio-key", "shopify-token",
                   "digitalocean-token", "postman-key", "linear-key", "terraform-token", "pypi-token",
                   "slack-webhook"}
    assert only_engine.isdisjoint(own)
    assert only_engine <= set(NAMED.values())


def test_allowing_the_engines_name_allows_the_finding_under_codetapes_id() -> None:
    token = FORMATS["github-token"]
    text = f"t = {token}\n"
    assert scan(text, RuleSet.default(allow=["rule:github-pat"])) == []
    assert scan(text, RuleSet.default(allow=["rule:github-token"])) == []
    assert [f.rule for f in scan(text, RuleSet.default(allow=["rule:gitlab-pat"]))] == ["github-token"]
