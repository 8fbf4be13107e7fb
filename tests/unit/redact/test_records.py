"""A secret's name and its value as two fields of one record (records.py): Postman's environments and
header lists, cloud tags, YAML lists of variables. Each finds its secret; records whose name says nothing
secret, or whose value is another record's, find nothing."""

from __future__ import annotations

import pytest

from tests.unit.redact.examples import found, found_where_prefiltered

TOKEN = "xrW4cbjZ9os9cbxDki6rjSVVJDXu"
LOWER = "z5ora1368tlm429k0ciqh17pvk"

FOUND = [
    ('{\n  "name": "Weatherly (dev)",\n  "values": [\n    {\n      "key": "weatherlyApiKey",\n'
     f'      "value": "{LOWER}",\n      "type": "secret",\n      "enabled": true\n    }}\n  ]\n}}\n', LOWER),
    ('      "header": [\n        {\n          "key": "X-Weatherly-Token",\n          "type": "text",\n'
     f'          "value": "{TOKEN}"\n        }}\n      ],\n', TOKEN),
    (f'  "Tags": [{{"Key": "deploy_token", "Value": "{TOKEN}"}},\n'
     '           {"Key": "team", "Value": "infra"}]\n', TOKEN),
    (f"variables:\n  - key: DEPLOY_TOKEN\n    protected: true\n    value: {TOKEN}\n", TOKEN),
]

NOT_FOUND = [
    '{\n  "key": "baseUrl",\n  "value": "https://api.weatherly.example",\n  "enabled": true\n}\n',
    '{"key": "apiKeyHeader", "value": "X-Weatherly-Key"}\n',
    '{"key": "tokenTtl", "value": "3600"}\n',
    '[{"key": "api_key", "value": ""}, {"key": "city", "value": "Q7w2E9r4T6y1"}]\n',
    '{"key": "api_key",\n "description": "set in the vault"},\n'
    '{"key": "region",\n "value": "Q7w2E9r4T6y1"}\n',
    "env:\n  - name: AUTH_MODE\n    value: oauth2\n  - name: SECRET_NAME\n    value: prod-db-credentials\n",
    # code: two variables, not a record's fields (the VS Code extension's node_modules)
    "const key = tokenCacheKey(scopes);\nconst value = cache.getThrottlingCache(key, correlationId);\n",
    "name = parsePropertyNameToken();\nvalue = parseAssignmentExpressionOrHigher(true);\n",
]


@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_found(text: str, secret: str) -> None:
    assert found(text) == found_where_prefiltered(text) == [secret]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_look_alikes_kept(text: str) -> None:
    assert found(text) == []
