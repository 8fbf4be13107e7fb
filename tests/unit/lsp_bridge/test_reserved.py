"""lsp_bridge/wire/reserved.py: a server's message naming a codetape method is found however JSON spells it"""

from __future__ import annotations

import json

from lsp_bridge.wire.reserved import Reserved, refusal, reserved_method


def test_ordinary_messages_pass_even_when_they_mention_codetape() -> None:
    assert reserved_method(b'{"jsonrpc":"2.0","id":1,"result":{"contents":"caf\\u00e9"}}') is None
    mention = {"jsonrpc": "2.0", "method": "window/logMessage", "params": {"message": "codetape/review"}}
    assert reserved_method(json.dumps(mention).encode()) is None
    nested = {"jsonrpc": "2.0", "id": 2, "result": [{"method": "codetape/review"}]}
    assert reserved_method(json.dumps(nested).encode()) is None


def test_every_spelling_of_a_codetape_method_is_found() -> None:
    assert reserved_method(b'{"jsonrpc":"2.0","method":"codetape/review","params":{}}') == \
        Reserved("codetape/review")
    assert reserved_method(b'{"method":"\\u0063odetap\\u0065\\/status"}') == Reserved("codetape/status")
    assert reserved_method(b'{"method":"window/logMessage","method":"codetape/status"}') == \
        Reserved("codetape/status")
    assert reserved_method(b'{"method":"codetape/review","method":"window/logMessage"}') == \
        Reserved("codetape/review")
    assert reserved_method(b'[{"id":7,"method":"codetape/review"}]') == Reserved("codetape/review", 7)


def test_a_request_is_answered_with_its_id_and_unreadable_json_is_refused() -> None:
    found = reserved_method(b'{"jsonrpc":"2.0","id":"r1","method":"codetape/review"}')
    assert found == Reserved("codetape/review", "r1")
    answer = refusal(found)
    assert answer["id"] == "r1" and answer["error"]["code"] == -32601 and "result" not in answer
    assert reserved_method(b'{"id":true,"method":"codetape/x"}') == Reserved("codetape/x")
    assert reserved_method(b'{"method":"codetape/review",') is not None
    assert reserved_method(b'{"method":"codetape/review","x":"\xff"}') is not None
    assert reserved_method(b'{"method":"codetape/review","x":' + b"[" * 1500 + b"]" * 1500 + b"}") is not None
