"""Names as people write them (spelling.py, keywords.py) and random letters (letters.py): the general rules
for names run together or misspelled, typed declarations, inline code and passwords named in prose."""

from __future__ import annotations

import pytest

from collector.redact import RuleSet, scan
from collector.redact.rules.keywords import one_edit, read_word, strength
from collector.redact.rules.values import gibberish, prose_password, token_like

RULES = RuleSet.default()


@pytest.mark.parametrize(("name", "level"), [
    ("APP_SECRETE", "token"), ("PYPI_PASSOWRD", "password"), ("db_credentail", "token"),
    ("AWSACCESSKEYID", "token"), ("nodePreGypAccesskeyid", "token"), ("passwordtravis", "password"),
    ("MYSECRETKEYREF", None), ("secretsmanager", None), ("tokenizer", None), ("secretary", None),
    ("passwordless", None), ("tests_passed", None), ("csrftoken", None),
    ("mailgun_pub_apikey", "token"), ("MG_PUBLIC_API_KEY", "token"), ("public_key", None),
    ("ssh_pubkey", None), ("publishable_key", None), ("SSH_KEY_BODY", "key"), ("algoliaSearchKey1", "key"),
    ("gh_next_oauth_client_secret", "token"), ("next_page_token", None), ("AWS_ACCESS_KEY_ID", "token"),
    ("azure_shared_access_signatures", "token"), ("eventGridAccessSignatures", "token"),
    ("Type_0_has_no_signatures_for_which_the_type_argument_list_is_applicable_2635", None),
])
def test_names_are_read_as_written_out(name: str, level: str | None) -> None:
    assert strength(name) == level


def test_words_split_around_a_stem_and_typos_corrected() -> None:
    assert read_word("awsaccesskeyid") == ("aws", "accesskey", "id")
    assert read_word("passowrd") == ("password",)
    assert read_word("passed") == ("passed",)
    assert read_word("tokenize") == ("tokenize",)
    assert one_edit("secrete", "secret") and one_edit("passowrd", "password") and one_edit("sceret", "secret")
    assert not one_edit("token", "token") and not one_edit("secure", "secret")


@pytest.mark.parametrize("value", ["olGVPvcfqMIKOCdishux", "ychsmvhkhsg49skm", "qwxzvbnmkjhgfdsp"])
def test_random_letters_are_gibberish(value: str) -> None:
    assert gibberish(value)


@pytest.mark.parametrize("value", ["includesystemsitepackages", "DistutilsPlatformError",
                                   "correcthorsebattery", "position_encoding", "short"])
def test_words_and_identifiers_are_not(value: str) -> None:
    assert not gibberish(value)


def test_a_token_without_digits_under_a_secret_name_is_one_when_its_letters_are_random() -> None:
    assert token_like("GOZqPEzWHgoWaEFJ")
    assert token_like("hhmbudouugywudmsrugkdzcnljkbcxky")
    assert not token_like("DefaultSettings")
    assert not token_like("changemeplease")


def test_a_prefixed_token_of_random_letters_is_not_an_identifier() -> None:
    assert token_like("fw_yfxqwrMAmjWZBNyHxhJOOhIf")
    assert not token_like("include_system_site_packages")


def test_a_long_random_number_under_a_token_name_is_one() -> None:
    assert token_like("7779503813222884141240456")
    assert not token_like("00000000000000000000000")


@pytest.mark.parametrize("value", ["^fl=u4ez5w8xQ", "z8LBw^l.BlNx-6%.J", "9D4f6UeNJPlb*ezYnYiJ@KbU",
                                   "K4Hg#0MOeB3KM_%sKooIe", "H?knD!faPiUZORen"])
def test_passwords_named_in_prose(value: str) -> None:
    assert prose_password(value)


@pytest.mark.parametrize("value", ["required", "os.environ", "getpass.getpass", "\\xa1\\xa2\\xa3",
                                   "https://x.example/a1", "${PASSWORD}", "Password"])
def test_not_passwords_in_prose(value: str) -> None:
    assert not prose_password(value)


SECRET = "bjM1P1xAD1rgaYaT8BUBpSufRbCikb"


@pytest.mark.parametrize("text", [
    f'const NYLAS_API_KEY: &str = "{SECRET}";',
    f'let secret: &\'static str = "{SECRET}";',
    f'private val apiKey: String? = "{SECRET}"',
    f'var apiKey string = "{SECRET}"',
    f'API_TOKEN: Final = "{SECRET}"',
    f'const apiKey: string = process.env.API_KEY || "{SECRET}";',
    f"* Set the API key (e.g. `{SECRET}`) in the dashboard first.",
    f"Set `SERVICE_TOKEN={SECRET}` in your shell.",
    f"  512  omise_skey={SECRET} ./bin/sync",
    f'{{"gh_next_oauth_client_secret": "{SECRET}"}}',
    "<!-- test account password z8LBw^l.BlNx-6%.J -->",
    "// Mysql sandbox password: ^fl=u4ez5w8xQ",
])
def test_general_contexts_are_found(text: str) -> None:
    found = {f.value for f in scan(text, RULES)}
    assert any(v in found for v in (SECRET, "z8LBw^l.BlNx-6%.J", "^fl=u4ez5w8xQ")), text


@pytest.mark.parametrize("text", [
    'const APP_NAME: &str = "codetape-collector";',
    "password = self._users[name]",
    "inner.update(password.translate(_trans_36))",
    "    pass_leaf = Leaf(text_type, 'pass')",
    'user=baduser, password=badpw, usenetrc=False)',
    "The password is hashed with ``hashlib.scrypt`` before it is stored.",
    "key_store_seqid=400006&order_id=0bb2e248638833d48cb7fed300000f1b&expire=964546263",
    'lockfile_uuid = "5794d93c-9332-4df1-ab79-fe001d62040b"',
])
def test_look_alikes_are_left(text: str) -> None:
    assert scan(text, RULES) == []
