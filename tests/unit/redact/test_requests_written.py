"""Requests as people write them down (builtin.py's line syntaxes, keywords.py, values.py): a `.http`
file's `@name = value`, header lines as `curl -v` prints them (`> Authorization: ...`), a key as a URL's
user with an empty password, a `.env` name that begins with digits, PHP's `'auth' => [user, key]`, a key
named after a page (`page_rank_api_key`), and a long key drawn from a small alphabet. Each finds its
secret; the look-alikes beside them find nothing."""

from __future__ import annotations

import pytest

from collector.redact.rules import keywords
from collector.redact.rules.values import token_like
from tests.unit.redact.examples import found, found_where_prefiltered

TOKEN = "xrW4cbjZ9os9cbxDki6rjSVVJDXu"
LOWER = "z5ora1368tlm429k0ciqh17pvk"
SMALL = "qth77m4meez72t44etaz4t2achtc22a2hq99zhq4"  # 40 characters of 12 symbols

FOUND = [
    (f"@weatherlyApiKey = {LOWER}\n\n### Forecast\nGET https://api.weatherly.example/v1/today\n"
     "X-Api-Key: {{weatherlyApiKey}}\n", LOWER),
    (f"hard-coded credential? @weatherlyApiKey = {LOWER}\n\n### Forecast\n", LOWER),
    (f"@weatherlyApiKey = {LOWER} ### Forecast GET https://api.weatherly.example/v1/today", LOWER),
    (f"AssertionError: assert '@weatherlyToken = {TOKEN}\\n\\n### Forecast\\n' == ''", TOKEN),
    (f"*   Trying 203.0.113.7:443...\n> GET /v1/me HTTP/2\n> Host: api.example.com\n"
     f"> Authorization: {TOKEN}\n> Accept: */*\n", TOKEN),
    (f"https://{TOKEN}:@people.example.com/v2/find?email=ann@example.com\n", TOKEN),
    (f'# .env.local\n9LIVES_API_TOKEN="{TOKEN}"\nFEATURE_FLAGS=beta\n', TOKEN),
    (f"$client->request('GET', $url, ['auth' => ['svc', '{TOKEN}'], 'timeout' => 5]);\n", TOKEN),
    (f'settings = {{\n    "page_rank_api_key": "{SMALL}",\n    "timeout": 10,\n}}\n', SMALL),
]

NOT_FOUND = [
    "@baseUrl = https://api.weatherly.example\n@pageSize = 50\n",
    "@token_required\ndef rotate(key_id: str) -> None: ...\n",
    "@Value(\"${weatherly.api-key}\")\nprivate String apiKey;\n",
    "> Accept: application/json\n> Authorization: {{token}}\n",
    "< HTTP/2 200\n< content-type: application/json\n< x-request-id: 9f3c1a7e-5b2d-4f60-89ab-1c3d5e7f9012\n",
    "https://ann@example.com/repo.git\n",
    "@media (max-width: 600px) { .key { color: red } }\n",
    "$client->request('GET', $url, ['auth' => ['svc', $password]]);\n",
    'next_page_token = "CAESBggCEAIYAg0123456789"\n',
    'checksum = "a1a1a1a1b2b2b2b2c3c3c3c3d4d4d4d4e5e5e5e5"\n',
]


@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_found(text: str, secret: str) -> None:
    assert found(text) == found_where_prefiltered(text) == [secret]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_look_alikes_kept(text: str) -> None:
    assert found(text) == []


def test_a_page_word_names_a_paging_token_only() -> None:
    assert keywords.strength("open_page_rank_api_key") == "token"
    assert keywords.strength("next_page_token") is None
    assert keywords.strength("syncToken") is None
    assert keywords.strength("gh_next_unstable_oauth_client_secret") == "token"


def test_a_small_alphabet_is_random_only_when_long_and_even() -> None:
    assert token_like(SMALL, quoted=True)
    assert not token_like("k7k7k7k7m2m2m2m2k7k7k7k7m2m2m2m2k7k7k7k7", quoted=True)  # 4 symbols
    assert not token_like("qqqqqqqqqqqqqqqqqqqqqqqqqqqqqth77m4meez7", quoted=True)  # 9 symbols, not evenly
