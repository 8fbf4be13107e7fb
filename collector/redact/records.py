"""A secret's name and its value as two fields of one record: `{"key": NAME, "value": VALUE}`.

Tools that keep settings, variables or headers as lists of records put the name in one field and the
value in another (DynamoDB's JSON wraps each in its type, `{"S": ...}`): Postman's environments and
collections (`"key": "apiKey"`, `"value": "..."`), cloud tags (`{"Key": ..., "Value": ...}`),
Kubernetes' `env` lists, and the YAML of CI variables (`- key: DEPLOY_TOKEN` / `value: ...`). The rule
reads the name field (`key` or `name`, quoted or not, then `:`) and the first `value:` field after it in
the same record: a few lines down at most, no brace between
them and no other name or value field. Fields given with `=` are left out: in code, `key = ...` and
`value = ...` are two variables (`const value = cache.get(key)`), not a record. The name is read with
`keywords.py`, the value asked that name's test (`named.py`).
"""

from __future__ import annotations

from collector.redact import keywords
from collector.redact.named import named
from collector.redact.rule import Rule, compile_verbose

_K = "(?i:" + "|".join(keywords.SECRET_WORDS) + ")"
_FIELD = r"""(?P<{q}>["']?)(?i:{name})(?P={q})[ \t]*:[ \t]*"""
# a field's value given with its type, as DynamoDB's JSON writes attributes: `"name": {"S": "api_token"}`
_TYPED = r"""(?:(?P<{q}>\{{)[ \t]*["']?[A-Z]{{1,4}}["']?[ \t]*:[ \t]*)?"""

RECORDS: tuple[Rule, ...] = (
    Rule("generic-secret", compile_verbose(
        r"(?<![\w\-])" + _FIELD.format(q="fq", name="key|name")
        + _TYPED.format(q="ktq") + r"""(?P<kq>["']?)(?P<k>[A-Za-z_][\w.\-:]{0,80})(?P=kq)[ \t]*
        (?(ktq)\}[ \t]*)[,;]?
        (?:(?!["']?(?i:key|name|value)["']?[ \t]*:)[^{}\[\]]){0,300}?
        (?<![\w\-])""" + _FIELD.format(q="vq", name="value") + _TYPED.format(q="vtq")
        + r"""(?:(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n\\]){1,2048})(?P=q)
        |(?P<v2>[^\s"'`,;{}\[\]\#]{1,2048}))"""),
        keywords.SECRET_WORDS, fold=True, priority=4, lines=6, check=named(),
        prefilter=r"(?i:key|name)[\"']?[ \t]*:[ \t]*(?:\{[ \t]*[\"']?[A-Z]{1,4}[\"']?[ \t]*:[ \t]*)?"
        r"[\"']?[A-Za-z_][\w.\-:]*" + _K),
)
