"""The built-in rules: one realistic example per rule finds exactly the secret; look-alikes find nothing."""

from __future__ import annotations

import pytest

from collector.redact import RuleSet, scan
from corpora.redaction_corpus import build

RULES = RuleSet.default()
AWS_SECRET = "tN4+q8Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ/e"
RANDOM = "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kM9nP2rS5uV8xA1dG4"
SENDGRID = "SG." + RANDOM[:22] + "." + RANDOM[:43]
SESSION = "IQoJb3JpZ2luX2VjEJr" + RANDOM * 2
STORAGE = "q8Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ+e" * 2 + "abcdefghijklmn=="
ANTHROPIC = "sk-ant-api03-" + "Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ" * 3 + "AA"

# (text, rule, secret): the secret must be found whole, by that rule
FOUND = [
    ('aws_access_key_id = AKIAQ3EGUIJ2ZK4PLMXW', "aws-access-key", "AKIAQ3EGUIJ2ZK4PLMXW"),
    (f'"SecretAccessKey": "{AWS_SECRET}"', "aws-secret-key", AWS_SECRET),
    (f'NewStaticCredentials("AKIAQ3EGUIJ2ZK4PLMXW", "{AWS_SECRET}", "")', "aws-secret-key", AWS_SECRET),
    (f"AWS_SESSION_TOKEN={SESSION}", "aws-session-token", SESSION),
    ('key=AIzaSyD4x8Kq2LmN7pR5tV9wY3zB6cF1hJ0kM2n', "gcp-api-key", "AIzaSyD4x8Kq2LmN7pR5tV9wY3zB6cF1hJ0kM2n"),
    ('"client_secret": "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"', "gcp-oauth-secret",
     "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"),
    ("Authorization: Bearer ya29.a0AfB_byC8xQ2mK7pL9nR4tV6wY1zB3cF5hJ8kM0qS2uX4",
     "gcp-oauth-token", "ya29.a0AfB_byC8xQ2mK7pL9nR4tV6wY1zB3cF5hJ8kM0qS2uX4"),
    (f"AccountName=acme;AccountKey={STORAGE};", "azure-storage-key", STORAGE),
    ("https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ%2Be1234",
     "azure-sas-token", "Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ%2Be1234"),
    ("AZURE_CLIENT_SECRET=abc8Q~Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ_e", "azure-client-secret",
     "abc8Q~Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ_e"),
    ("token ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4", "github-token",
     "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"),
    ("glpat-Xy7Kp2Rm9Qz4Tn6Vw8Lb", "gitlab-token", "glpat-Xy7Kp2Rm9Qz4Tn6Vw8Lb"),
    ("xoxb-2841930571-8812093311-Qm7RkT2vXw9LpZs4NcYb6HdF", "slack-token",
     "xoxb-2841930571-8812093311-Qm7RkT2vXw9LpZs4NcYb6HdF"),
    ("https://hooks.slack.com/services/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", "slack-webhook",
     "T0A1B2C3D/B4E5F6G7H/Qm7RkT2vXw9LpZs4NcYb6HdF"),
    ("stripe.api_key = 'sk_live_51HxQ2mK8vN3pL7rT9wY4bC6d'", "stripe-key",
     "sk_live_51HxQ2mK8vN3pL7rT9wY4bC6d"),
    ("//registry.npmjs.org/:_authToken=npm_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4", "npm-token",
     "npm_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"),
    ("password = pypi-AgEIcHlwaS5vcmc" + RANDOM, "pypi-token", "pypi-AgEIcHlwaS5vcmc" + RANDOM),
    ('OpenAI(api_key="sk-proj-Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kT3BlbkFJx9")', "openai-key",
     "sk-proj-Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kT3BlbkFJx9"),
    (f"ANTHROPIC_API_KEY={ANTHROPIC}", "anthropic-key", ANTHROPIC),
    ("session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.kX9vR2mT5qL8wN1zB4cF7hJ0dG3sA6e; Path=/",
     "jwt",
     "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.kX9vR2mT5qL8wN1zB4cF7hJ0dG3sA6e"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAAAAB\n"
     "-----END OPENSSH PRIVATE KEY-----\n", "private-key",
     "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAAAAB"),
    ('"key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\nAb3dE6gH9j==\\n'
     '-----END PRIVATE KEY-----\\n"', "private-key", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\nAb3dE6gH9j=="),
    ("$ tail key.pem\n-----BEGIN RSA PRIVATE KEY-----\n"
     "MIIEowIBAAKCAQEAwq3J8p8K0YVgmoN2x4Vb\nXe4aD7fG2hJ9kL1mN3p\n",
     "private-key", "MIIEowIBAAKCAQEAwq3J8p8K0YVgmoN2x4Vb\nXe4aD7fG2hJ9kL1mN3p\n"),
    ("postgresql://app:Vq7#mK2p!Lx9sRt@db.internal:5432/app", "url-password", "Vq7#mK2p!Lx9sRt"),
    ("redis://:7fJkL2mNp9QrS4tV@cache:6379/0", "url-password", "7fJkL2mNp9QrS4tV"),
    ("sqlplus scott/T1ger#2024@orcl", "url-password", "T1ger#2024"),
    ("Server=tcp:x,1433;User ID=sa;Password=Str0ng!Pass;Encrypt=True;", "connection-string", "Str0ng!Pass"),
    ("jdbc:mysql://db/app?user=root&password=R00tPass!&useSSL=false", "connection-string", "R00tPass!"),
    ('curl -H "Authorization: Basic dXNlcjpQNHNzdzByZCE=" https://x', "auth-header", "dXNlcjpQNHNzdzByZCE="),
    ("curl -H 'X-API-Key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0' https://x", "auth-header",
     "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ("./sync --api-key Xk2Lr7pZ0wY5vB1mJ6hG --dry-run", "cli-password", "Xk2Lr7pZ0wY5vB1mJ6hG"),
    ("mysql -u root -pS3cretPw9 orders", "cli-password", "S3cretPw9"),
    ("docker login -u me -p 'Xyz12345abc!' registry.io", "cli-password", "Xyz12345abc!"),
    ("export DATABASE_PASSWORD='Tr0ub4dor&3xq'", "env-secret", "Tr0ub4dor&3xq"),
    ("set -gx DEPLOY_TOKEN 7c9e6679f4254a8b9e1d2c3b4a5f6e7d", "env-secret",
     "7c9e6679f4254a8b9e1d2c3b4a5f6e7d"),
    ('client_secret: "Xk2Lr7pZ0wY5vB1mJ6hG3fD9"', "generic-secret", "Xk2Lr7pZ0wY5vB1mJ6hG3fD9"),
    ("db.password=Pancake082&", "connection-string", "Pancake082&"),
    ("spring:\n  datasource:\n    password: Pancake082&", "generic-secret", "Pancake082&"),
    ('<add key="ApiSecret" value="f1b98302ed33bbaf8778ec86bda8bb95" />', "generic-secret",
     "f1b98302ed33bbaf8778ec86bda8bb95"),
    ('        - name: JWT_SECRET\n          value: "87d00e9baf9899cbbf4d5417d20a13f9"', "generic-secret",
     "87d00e9baf9899cbbf4d5417d20a13f9"),
    ('requests.get(url, auth=("deploy", "Xk9#mP2vLq8"))', "generic-secret", "Xk9#mP2vLq8"),
    ("machine api.heroku.com login me@x.io password 6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f", "generic-secret",
     "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"),
    ('define("AUTH_KEY", "x8#Lq2!vP9zR4tW7yB1nM5");', "generic-secret", "x8#Lq2!vP9zR4tW7yB1nM5"),
    (f"SENDGRID_API_KEY={SENDGRID}", "sendgrid-key", SENDGRID),
    ("HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "huggingface-token",
     "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"),
    ("vault login hvs.CAESIAb3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6k", "vault-token",
     "hvs.CAESIAb3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6k"),
    ("git clone https://" + RANDOM[:40] + "@github.com/acme/app.git", "url-token", RANDOM[:40]),
    ("[rates](https://api.acme.io/v1/rates?base=EUR&apikey=" + RANDOM[:32] + ")", "url-query-secret",
     RANDOM[:32]),
    ("requests.get('https://rates.acme.io/v2/" + RANDOM[:32] + "/latest')", "url-path-token", RANDOM[:32]),
    ("# old Acme API key (rotated on Friday): 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "mentioned-secret",
     "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ('curl -H "X-Acme-Key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0" https://api.acme.io', "auth-header",
     "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ("curl -u " + RANDOM[:32] + ": https://api.acme.io/v1", "cli-password", RANDOM[:32]),
    # credentials under names no vocabulary knows (unnamed.py)
    ('curl -H "X-Acme-Team: ' + RANDOM[:32] + '" https://api.acme.io', "request-header", RANDOM[:32]),
    ("http GET https://api.acme.io/v1 'X-Acme-Team:" + RANDOM[:32] + "'", "request-header", RANDOM[:32]),
    ('requests.get(url, headers={"CB-ACCESS-SIGN": "' + RANDOM[:32] + '"})', "request-header", RANDOM[:32]),
    ("http -a ci:" + RANDOM[:24] + " GET https://api.acme.io/v1", "basic-auth", RANDOM[:24]),
    ('requests.get(url, auth=("' + RANDOM[:24] + '", ""))', "basic-auth", RANDOM[:24]),
    ("ACME_HOOK=https://hooks.acme.io/hooks/catch/3790742/4y7xx5/", "webhook-url", "catch/3790742/4y7xx5/"),
    ("ACME_APPLICATION=" + RANDOM[:32], "machine-secret", RANDOM[:32]),
    # a machine-made token anywhere, whatever names it (generated.py)
    ("the staging box answers to " + RANDOM[:32] + " until Friday", "generated-token", RANDOM[:32]),
]

# credential-shaped text that is not a secret: templates, references, code, documentation
NOT_FOUND = [
    "password = os.environ['DB_PASSWORD']",
    "password = getpass.getpass('Password: ')",
    "token = tokenize.generate_tokens(readline)",
    'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}',
    "export API_KEY=$API_KEY",
    'api_key = "<your-api-key>"',
    'password = "changeme"',
    "SECRET_KEY = '%(secret)s'",
    'token_url = "https://oauth2.googleapis.com/token"',
    "password_file = '/etc/app/password.txt'",
    "https://user:password@example.com/",
    "if token.type == tokenize.NAME:",
    'author = "Guido van Rossum"',
    "key = self._make_key(args, kwds)",
    "private_key = load_pem_private_key(data, password=None)",
    "RegEnumKey = win32api.RegEnumKey",
    "password: ********",
    'aws_secret_access_key = "YOUR_SECRET_ACCESS_KEY"',
    # look-alikes of random credentials that are not secret: UUIDs, git SHAs, lockfile hashes, base64 data
    '{"id": "3f2a6c1e-8b4d-4e9f-a1c3-5d7e9f0b2a4c", "request_id": "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"}',
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "commit 3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a\nAuthor: Dev <dev@example.com>\n",
    "HEAD is now at 3f2a1b9 Fix the token refresh",
    "git checkout 9fceb02d0ae598e95dc970b74767f19372d61af8",
    '  "integrity": "sha512-7Xk9mP2vLq8Rt3Ns5Lw1Qz4Yc6Hb8Jd0Fg2Kh4Mj6Nl8Pp0Rr2Tt4Vv6Xx8Zz0Ab2Cd4'
    'Ef6Gh8Ij0Kl2Mn4Op6Qr8St0Uv2W==",',
    # a real sha512's length: 88 base64 characters, an Azure storage key's shape
    '  "integrity": "sha512-Swi4N7Edy1Eqq82GxgEECXSSLyn6GOb5htRFPzBDdUkECGXtlf12ynO5oJSpWKPw'
    'CaUssOu7NfhDcCWpIC6Ywg==",',
    '{file = "requests-2.31.0-py3-none-any.whl", '
    'hash = "sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"},',
    'checksum = "0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f"',
    "golang.org/x/crypto v0.14.0 h1:wBqGXzWJW6m1XrIKlAH0Hs1JJ7+9KBwnIO8v66Q9cHc=",
    "requests==2.31.0 --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f",
    'PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwA'
    'ChwGA60e6kgAAAABJRU5ErkJggg==")',
    '    expected = b"SGVsbG8sIFdvcmxkISBUaGlzIGlzIGEgdGVzdCBmaXh0dXJlIGZvciBiYXNlNjQ="',
    'self.assertEqual(key.fingerprint, "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8")',
    "# the session key is regenerated on login; see https://example.com/docs/3f2a6c1e8b4d",
    "tokens = tokenizer.encode(text)  # token ids for the prompt: 15496 995 1234567890123456",
    "os.path.join(base, 'fixtures', 'patterns', 'path_9f8e7d6c5b4a3928.json')",
    'curl -H "X-Request-Id: 3f2a6c1e-8b4d-4e9f-a1c3-5d7e9f0b2a4c" -H "Accept: application/json" https://x',
    "'iso8859-15':                           'en_US.ISO8859-15',",
    'EXEC_PREFIX="/Library/Frameworks/DebugPython.framework/Versions/9.8",',
    'PNG_BYTES = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwA"',
    'GREETING_B64 = "SGVsbG8sIFdvcmxkISBUaGlzIGlzIGEgdGVzdCBmaXh0dXJl"',
    "https://docs.acme.io/webhooks/getting-started/configure",
]


@pytest.mark.parametrize(("text", "rule", "secret"), FOUND,
                         ids=[f"{r}-{n}" for n, (_, r, _) in enumerate(FOUND)])
def test_each_rule_finds_its_secret(text: str, rule: str, secret: str) -> None:
    found = scan(text, RULES)
    assert [(f.rule, f.value) for f in found if f.value == secret] == [(rule, secret)], found


def test_every_built_in_rule_has_an_example() -> None:
    assert {rule.id for rule in RULES.rules} - {rule for _, rule, _ in FOUND} <= {
        "azure-client-secret", "discord-webhook", "rubygems-token", "nuget-key", "docker-token", "groq-key",
        "replicate-token", "xai-key", "perplexity-key", "twilio-key", "mailgun-key", "mailchimp-key",
        "shopify-token", "square-token", "digitalocean-token", "databricks-token", "telegram-bot-token",
        "atlassian-token", "postman-key", "linear-key", "notion-token", "grafana-token", "newrelic-key",
        "doppler-token", "terraform-token", "sentry-token", "supabase-token", "planetscale-token",
        "flyio-token", "figma-token", "age-secret-key"}


@pytest.mark.parametrize("text", NOT_FOUND)
def test_look_alikes_are_not_secrets(text: str) -> None:
    assert scan(text, RULES) == []


def test_recall_on_a_small_corpus() -> None:
    """The bench measures 98%+ on hundreds of cases per family; a smaller seeded sample here."""
    cases = build(seed=11, per_family=8)
    total = hit = 0
    for case in cases:
        inside: set[int] = set()
        for f in scan(case.text, RULES):
            inside.update(range(f.start, f.end))
        for value in case.values:
            total += 1
            at = case.text.find(value)
            hit += all(i in inside for i in range(at, at + len(value)))
    assert total > 300
    assert hit / total >= 0.97
