"""Basic auth's `user:password` written out in code to be base64-encoded (encoded_auth.py): the password,
or a key sent as the user with no password. Each finds its secret; encodings of other strings, of
variables, or of words find nothing."""

from __future__ import annotations

import pytest

from tests.unit.redact_examples import found, found_where_prefiltered

TOKEN = "xrW4cbjZ9os9cbxDki6rjSVVJDXu"
PASSWORD = "Tq8!vN3#pL6z"

FOUND = [
    (f'const res = await fetch(url, {{ headers: {{ Authorization: "Basic " + btoa("svc:{TOKEN}") }} }});\n',
     TOKEN),
    (f'auth = "Basic " + base64.b64encode(b"{TOKEN}:").decode()\n', TOKEN),
    (f'$hdr = "Basic " . base64_encode("deploy:{PASSWORD}");\n', PASSWORD),
    (f'String enc = Base64.getEncoder().encodeToString("ci:{TOKEN}".getBytes());\n', TOKEN),
    (f'req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("{TOKEN}:")))\n',
     TOKEN),
]

NOT_FOUND = [
    'btoa("hello:world")\n',
    'Buffer.from("user:" + password).toString("base64")\n',
    'base64.b64encode(b"key:value")\n',
    "const auth = btoa(`${user}:${pass}`);\n",
    'Buffer.from("data:image/png;base64,iVBORw0KGgo")\n',
    'base64.b64encode(b"localhost:8080")\n',
]


@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_found(text: str, secret: str) -> None:
    assert found(text) == found_where_prefiltered(text) == [secret]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_look_alikes_kept(text: str) -> None:
    assert found(text) == []
