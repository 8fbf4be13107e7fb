"""A key in a URL (urls.py): a query parameter named like a secret or like a key's id, a form body in a
string, a machine-made path segment. Each finds its secret; URLs with ordinary parameters and paths (pages,
searches, campaign tags, ids, commits, UUIDs, versions, slugs, fingerprinted assets) find nothing."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tests.unit.redact.examples import found, found_where_prefiltered

TOKEN = "xrW4cbjZ9os9cbxDki6rjSVVJDXu"
LOWER = "z5ora1368tlm429k0ciqh17pvk"  # letters of one case and digits
DASHED = "wvrUS_8jXbMkdVsPuqBbQC-6hEQGDXBb"
UUID_KEY = "7c1e2f3a-9b4d-4c6e-8f1a-2b3c4d5e6f70"
HEX_KEY = "9f3c1a7e5b2d4f6089ab1c3d5e7f9012"
INTEGRITY = "sha512-" + base64.b64encode(hashlib.sha512(b"left-pad 1.3.0").digest()).decode()

FOUND = [
    # a query parameter named like a secret, on any host, ended by a link's `)` or a log's `]`
    (f"See [the response](https://api.weatherly.example/v1/day?city=Oslo&apikey={UUID_KEY}) for fields.\n",
     UUID_KEY),
    (f'<iframe src="https://geo.example.net/embed?ip=8.8.8.8&access_key={LOWER}"></iframe>\n', LOWER),
    # named like a key's id, a machine-made value
    (f'curl "https://maps.example.io/v3/tiles?units=metric&appid={HEX_KEY}"\n', HEX_KEY),
    (f"    return self.session.get('https://api.events.example/2/shows?client_id={TOKEN}').json()\n", TOKEN),
    # a form body in a string
    (f"requests.post(url, data='dev_key={LOWER}&paste=hello&format=raw', timeout=10)\n", LOWER),
    # a machine-made path segment
    (f"fetch('https://rates.example.com/v4/{LOWER}/pair/EUR/USD').then(r => r.json())\n", LOWER),
    (f'        .uri(URI.create("https://node.example.org/rpc/{DASHED}"))\n', DASHED),
    (f"### Rates\nGET https://rates.example.com/v4/{TOKEN}/latest\n", TOKEN),
]

NOT_FOUND = [
    "https://example.com/search?q=secret+token+rotation&page=2\n",
    "https://example.com/list?page=2&per_page=50&sort=desc&limit=100\n",
    "https://shop.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale_2024\n",
    "https://github.com/python/cpython/commit/3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a\n",
    f"GET https://api.example.com/v1/orders/{UUID_KEY}/items?expand=lines\n",
    "https://docs.example.com/en/v3.12.1/library/asyncio-eventloop-policies.html\n",
    "# https://support.example.com/en-us/article/norm-inv-function-54b30935-fee7-493c-bedb-2278a9db7e13\n",
    f'"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", "integrity": "{INTEGRITY}"\n',
    '<script src="https://cdn.example.net/static/chunks/main-9c4e1f2a7b3d5e6f.js"></script>\n',
    "https://fonts.example.com/s/roboto/v30/KFOmCnqEu92Fr1Mu4mxK.woff2\n",
    "https://example.com/users/12345678901234567890/profile\n",
    "https://example.com/blog/2024-03-11-how-we-rotate-our-api-keys-safely\n",
    "https://files.example.org/packages/3f/2a/1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f/pkg-1.0.tar.gz\n",
    "https://accounts.example.com/o/oauth2/auth?client_id=YOUR_CLIENT_ID&redirect_uri=https%3A%2F%2Fa.b\n",
    "https://www.example.com/watch?v=dQw4w9WgXcQ&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG&index=3\n",
    "https://example.com/track?event_id=evt_20240311&video_id=dQw4w9WgXcQ4r2\n",
    'params = "page_token=CAESBggCEAIYAg&max_results=50"\n',
    "sorted(rows, key=operator.itemgetter(2))\n",
    "// See https://docs.example.com/document/d/1qVwR3xYtZ7uI9oPaS2dF4gH6jK8lZ0xCvB/edit?usp=sharing\n",
    " * https://datatracker.example.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.4\n",
    " * [Code Flow](https://learn.example.com/en-us/identity/v2-oauth2-auth-code-flow#request-a-token)\n",
    "// ref: http://lists.example.org/pipermail/dev/Week-of-Mon-20140421/214296.html\n",
]


@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_found(text: str, secret: str) -> None:
    assert found(text) == found_where_prefiltered(text) == [secret]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_look_alikes_kept(text: str) -> None:
    assert found(text) == []
