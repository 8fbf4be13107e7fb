"""Realistic secret values, seeded: the real formats (prefixes, lengths, alphabets, structure).

Nothing here is a real credential: every value is random in the provider's format.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"
BASE32 = UPPER + "234567"


def pick(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def b64(r: random.Random, nbytes: int, *, urlsafe: bool = False, pad: bool = True) -> str:
    raw = r.randbytes(nbytes)
    text = (base64.urlsafe_b64encode(raw) if urlsafe else base64.b64encode(raw)).decode()
    return text if pad else text.rstrip("=")


def base64_text(text: str) -> str:
    """`text` base64-encoded, as a Kubernetes Secret's `data` or `base64` without wrapping writes it."""
    return base64.b64encode(text.encode()).decode()


def aws_access_key_id(r: random.Random) -> str:
    return r.choice(["AKIA", "AKIA", "AKIA", "ASIA"]) + pick(r, BASE32, 16)


def aws_secret_key(r: random.Random) -> str:
    return pick(r, B64, 40)


def aws_session_token(r: random.Random) -> str:
    return "IQoJb3JpZ2luX2Vj" + b64(r, r.randrange(280, 420))


def gcp_api_key(r: random.Random) -> str:
    return "AIza" + pick(r, URLSAFE, 35)


def gcp_oauth_secret(r: random.Random) -> str:
    return "GOCSPX-" + pick(r, URLSAFE, 28)


def azure_storage_key(r: random.Random) -> str:
    return b64(r, 64)


def azure_shared_access_key(r: random.Random) -> str:
    return b64(r, 32)


def azure_sas_signature(r: random.Random) -> str:
    sig = b64(r, 32)
    return sig.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def azure_client_secret(r: random.Random) -> str:
    return pick(r, ALNUM, 3) + r.choice(DIGITS) + "Q~" + pick(r, ALNUM + "_~.-", 34)


def github_token(r: random.Random) -> str:
    kind = r.choice(["ghp", "ghp", "ghp", "gho", "ghu", "ghs", "ghr", "pat"])
    if kind == "pat":
        return "github_pat_11" + pick(r, UPPER + DIGITS, 20) + "_" + pick(r, ALNUM, 59)
    return f"{kind}_" + pick(r, ALNUM, 36)


def gitlab_token(r: random.Random) -> str:
    kind = r.choice(["glpat-", "glpat-", "glpat-", "gldt-", "glrt-", "GR1348941"])
    return kind + pick(r, URLSAFE, r.choice([20, 20, 26]))


def slack_token(r: random.Random) -> str:
    kind = r.choice(["xoxb", "xoxb", "xoxp", "xoxa", "xoxs"])
    tail = pick(r, ALNUM, 24) if kind == "xoxb" else pick(r, HEX, 32)
    parts = [pick(r, DIGITS, r.randrange(10, 14)) for _ in range(2 if kind == "xoxb" else 3)]
    return f"{kind}-" + "-".join(parts) + "-" + tail


def slack_webhook_path(r: random.Random) -> str:
    return "T" + pick(r, UPPER + DIGITS, 10) + "/B" + pick(r, UPPER + DIGITS, 10) + "/" + pick(r, ALNUM, 24)


def stripe_key(r: random.Random) -> str:
    kind = r.choice(["sk_live_", "sk_live_", "sk_test_", "rk_live_", "whsec_"])
    return kind + pick(r, ALNUM, 32 if kind == "whsec_" else r.choice([24, 99]))


def npm_token(r: random.Random) -> str:
    return "npm_" + pick(r, ALNUM, 36)


def pypi_token(r: random.Random) -> str:
    return "pypi-AgEIcHlwaS5vcmc" + b64(r, r.randrange(110, 160), urlsafe=True, pad=False)


def openai_key(r: random.Random) -> str:
    kind = r.choice(["proj", "proj", "legacy", "svcacct"])
    if kind == "legacy":
        return "sk-" + pick(r, ALNUM, 20) + "T3BlbkFJ" + pick(r, ALNUM, 20)
    return f"sk-{kind}-" + pick(r, URLSAFE, 74) + "T3BlbkFJ" + pick(r, URLSAFE, 74)


def anthropic_key(r: random.Random) -> str:
    kind = r.choice(["api03", "api03", "admin01"])
    return f"sk-ant-{kind}-" + pick(r, URLSAFE, 93) + "AA"


def jwt(r: random.Random) -> str:
    alg = r.choice(["HS256", "RS256", "ES256"])
    header: dict[str, object] = {"alg": alg, "typ": "JWT"}
    if alg != "HS256":
        header["kid"] = pick(r, HEX, 16)
    now = 1_760_000_000 + r.randrange(10_000_000)
    payload = {"sub": str(uuid.UUID(int=r.getrandbits(128))), "iss": r.choice(["https://auth.example.org",
               "https://login.acme.io/", "api"]), "iat": now, "exp": now + 3600,
               "scope": r.choice(["read write", "openid profile email", "admin"])}
    if r.random() < 0.5:
        user, domain = r.choice(["ana", "bo", "chen", "dara"]), r.choice(["acme.io", "corp.example"])
        payload["email"] = f"{user}@{domain}"

    def enc(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

    sig = b64(r, {"HS256": 32, "RS256": 256, "ES256": 64}[alg], urlsafe=True, pad=False)
    return f"{enc(header)}.{enc(payload)}.{sig}"


_PEM_HEAD = {
    "RSA PRIVATE KEY": (bytes.fromhex("308204a40201000282010100"), 1180),
    "PRIVATE KEY": (bytes.fromhex("308204bd020100300d06092a864886f70d0101010500048204a7"), 1190),
    "EC PRIVATE KEY": (bytes.fromhex("30770201010420"), 114),
    "ENCRYPTED PRIVATE KEY": (bytes.fromhex("308205253057"), 1300),
    "OPENSSH PRIVATE KEY": (b"openssh-key-v1\x00\x00\x00\x00\x04none\x00\x00\x00\x04none", 380),
    "DSA PRIVATE KEY": (bytes.fromhex("308201bb02010002818100"), 440),
}


def private_key(r: random.Random, kind: str | None = None) -> tuple[str, str, list[str]]:
    """(kind, PEM text with real line breaks, body lines)."""
    kind = kind or r.choice(list(_PEM_HEAD))
    head, size = _PEM_HEAD[kind]
    body = base64.b64encode(head + r.randbytes(size)).decode()
    width = 70 if kind == "OPENSSH PRIVATE KEY" else 64
    lines = [body[i : i + width] for i in range(0, len(body), width)]
    text = f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----\n"
    return kind, text, lines


def password(r: random.Random) -> str:
    style = r.choice(["random", "random", "human", "passphrase", "symbols"])
    if style == "random":
        return pick(r, ALNUM + "!#%^*_-+=", r.randrange(12, 25))
    if style == "human":
        word = r.choice(["Summer", "Tigerlily", "Bluebird", "Maverick", "Pancake", "Voyager", "Marigold",
                         "Snowfall", "Kestrel", "Orchard", "Falcon", "Quasar"])
        return word + pick(r, DIGITS, r.randrange(2, 5)) + r.choice("!@#$%&*?")
    if style == "passphrase":
        words = r.sample(["maple", "orbit", "violet", "canyon", "ember", "lunar", "copper", "willow",
                          "harbor", "pixel", "tundra", "saffron", "glacier", "meadow"], 4)
        return r.choice("-_.").join(words) + str(r.randrange(10, 99))
    return pick(r, ALNUM, 6) + r.choice("@#$%^&*") + pick(r, ALNUM, 6) + r.choice("!?")


def url_password(r: random.Random) -> str:
    """A password as it appears in a URL: no characters a URL must escape, or escaped."""
    value = password(r)
    return "".join(ch if ch.isalnum() or ch in "-._~!*+=" else f"%{ord(ch):02X}" for ch in value)


def generic_token(r: random.Random) -> str:
    style = r.choice(["hex32", "hex40", "hex64", "b64", "alnum", "uuid", "urlsafe"])
    if style.startswith("hex"):
        return pick(r, HEX, int(style[3:]))
    if style == "b64":
        return b64(r, r.choice([24, 32, 48]))
    if style == "alnum":
        return pick(r, ALNUM, r.randrange(24, 41))
    if style == "uuid":
        return str(uuid.UUID(int=r.getrandbits(128), version=4))
    return pick(r, URLSAFE, r.randrange(32, 48))


def django_secret_key(r: random.Random) -> str:
    return "django-insecure-" + pick(r, LOWER + DIGITS + "!@#%^&*(-_=+)", 50)


def other_vendor(r: random.Random) -> tuple[str, str]:
    """(environment variable name, token) for services with their own token formats."""
    kind = r.choice(["sendgrid", "twilio", "mailgun", "huggingface", "shopify", "digitalocean", "docker",
                     "vault", "databricks", "telegram", "datadog", "heroku", "cloudflare", "notion", "linear",
                     "figma", "doppler", "postman", "newrelic", "sentry", "rubygems", "groq", "replicate",
                     "atlassian", "age"])
    values = {
        "sendgrid": ("SENDGRID_API_KEY", lambda: "SG." + pick(r, URLSAFE, 22) + "." + pick(r, URLSAFE, 43)),
        "twilio": ("TWILIO_AUTH_TOKEN", lambda: pick(r, HEX, 32)),
        "mailgun": ("MAILGUN_API_KEY", lambda: "key-" + pick(r, HEX, 32)),
        "huggingface": ("HF_TOKEN", lambda: "hf_" + pick(r, UPPER + LOWER, 34)),
        "shopify": ("SHOPIFY_ACCESS_TOKEN", lambda: "shpat_" + pick(r, HEX, 32)),
        "digitalocean": ("DIGITALOCEAN_TOKEN", lambda: "dop_v1_" + pick(r, HEX, 64)),
        "docker": ("DOCKERHUB_TOKEN", lambda: "dckr_pat_" + pick(r, URLSAFE, 27)),
        "vault": ("VAULT_TOKEN", lambda: "hvs." + pick(r, URLSAFE, 91)),
        "databricks": ("DATABRICKS_TOKEN", lambda: "dapi" + pick(r, HEX, 32)),
        "telegram": ("TELEGRAM_BOT_TOKEN", lambda: pick(r, DIGITS, 10) + ":AA" + pick(r, URLSAFE, 33)),
        "datadog": ("DD_API_KEY", lambda: pick(r, HEX, 32)),
        "heroku": ("HEROKU_API_KEY", lambda: str(uuid.UUID(int=r.getrandbits(128), version=4))),
        "cloudflare": ("CLOUDFLARE_API_TOKEN", lambda: pick(r, URLSAFE, 40)),
        "notion": ("NOTION_TOKEN", lambda: "ntn_" + pick(r, ALNUM, 46)),
        "linear": ("LINEAR_API_KEY", lambda: "lin_api_" + pick(r, ALNUM, 40)),
        "figma": ("FIGMA_TOKEN", lambda: "figd_" + pick(r, URLSAFE, 40)),
        "doppler": ("DOPPLER_TOKEN", lambda: "dp.st." + pick(r, ALNUM, 43)),
        "postman": ("POSTMAN_API_KEY", lambda: "PMAK-" + pick(r, HEX, 24) + "-" + pick(r, HEX, 34)),
        "newrelic": ("NEW_RELIC_API_KEY", lambda: "NRAK-" + pick(r, UPPER + DIGITS, 27)),
        "sentry": ("SENTRY_AUTH_TOKEN", lambda: "sntrys_" + b64(r, 90, pad=False)),
        "rubygems": ("GEM_HOST_API_KEY", lambda: "rubygems_" + pick(r, HEX, 48)),
        "groq": ("GROQ_API_KEY", lambda: "gsk_" + pick(r, ALNUM, 52)),
        "replicate": ("REPLICATE_API_TOKEN", lambda: "r8_" + pick(r, ALNUM, 37)),
        "atlassian": ("JIRA_API_TOKEN",
                      lambda: "ATATT3xFfGF0" + pick(r, URLSAFE, 170) + "=" + pick(r, HEX, 8)),
        "age": ("SOPS_AGE_KEY", lambda: "AGE-SECRET-KEY-1" + pick(r, UPPER + DIGITS, 58)),
    }
    name, make = values[kind]
    return name, make()
