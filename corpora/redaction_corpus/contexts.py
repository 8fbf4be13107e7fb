"""Where secrets turn up: code, configuration files, shell commands, logs, test output, commit messages.

Each family's contexts take a seeded random source and return the text and the secret values in it.
The texts are what a developer's editor, terminal or git history would hold.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable

from corpora.redaction_corpus import tokens as tk

Made = tuple[str, list[str]]
Context = Callable[[random.Random], Made]

USERS = ["app", "deploy", "svc_orders", "analytics", "admin", "ci-bot", "postgres", "reporting", "etl_user"]
HOSTS = ["db.internal", "10.0.3.17", "pg-prod-2.c9xk2.eu-west-1.rds.amazonaws.com", "mysql.staging.acme.io",
         "cluster0.x7ab3.mongodb.net", "cache.svc.cluster.local", "rabbit.prod", "localhost"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]


def _user(r: random.Random) -> str:
    return r.choice(USERS)


def _host(r: random.Random) -> str:
    return r.choice(HOSTS)


# -- AWS -----------------------------------------------------------------------------------------------------

def aws_credentials_file(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    profile = r.choice(["default", "prod", "deploy", "ci"])
    return (f"[{profile}]\naws_access_key_id = {kid}\naws_secret_access_key = {sk}\n"
            f"region = {r.choice(REGIONS)}\n", [kid, sk])


def aws_env_exports(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    values = [kid, sk]
    text = f"export AWS_ACCESS_KEY_ID={kid}\nexport AWS_SECRET_ACCESS_KEY={sk}\n"
    if kid.startswith("ASIA"):
        tok = tk.aws_session_token(r)
        text += f"export AWS_SESSION_TOKEN={tok}\n"
        values.append(tok)
    return text + f"export AWS_DEFAULT_REGION={r.choice(REGIONS)}\n", values


def aws_boto3(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    q = r.choice(["'", '"'])
    return (f"import boto3\n\ns3 = boto3.client(\n    {q}s3{q},\n    aws_access_key_id={q}{kid}{q},\n"
            f"    aws_secret_access_key={q}{sk}{q},\n"
            f"    region_name={q}{r.choice(REGIONS)}{q},\n)\n", [kid, sk])


def aws_terraform(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    return (f'provider "aws" {{\n  region     = "{r.choice(REGIONS)}"\n  access_key = "{kid}"\n'
            f'  secret_key = "{sk}"\n}}\n', [kid, sk])


def aws_sts_json(r: random.Random) -> Made:
    kid = "ASIA" + tk.pick(r, tk.BASE32, 16)
    sk, tok = tk.aws_secret_key(r), tk.aws_session_token(r)
    doc = {"Credentials": {"AccessKeyId": kid, "SecretAccessKey": sk, "SessionToken": tok,
                           "Expiration": "2026-11-22T18:04:05+00:00"},
           "AssumedRoleUser": {"AssumedRoleId": "AROA" + tk.pick(r, tk.BASE32, 17) + ":ci",
                               "Arn": "arn:aws:sts::123456789012:assumed-role/ci/ci"}}
    return json.dumps(doc, indent=4) + "\n", [kid, sk, tok]


def aws_console_csv(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    return ("User name,Password,Access key ID,Secret access key,Console login link\n"
            f"{_user(r)},,{kid},{sk},https://123456789012.signin.aws.amazon.com/console\n", [kid, sk])


def aws_docker_run(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    return (f"$ docker run --rm -e AWS_ACCESS_KEY_ID={kid} -e AWS_SECRET_ACCESS_KEY={sk} "
            f"amazon/aws-cli s3 ls s3://acme-builds\n", [kid, sk])


def aws_js_client(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    return (f'const client = new S3Client({{\n  region: "{r.choice(REGIONS)}",\n  credentials: {{\n'
            f'    accessKeyId: "{kid}",\n    secretAccessKey: "{sk}",\n  }},\n}});\n', [kid, sk])


def aws_go_static(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    return ("sess := session.Must(session.NewSession(&aws.Config{\n"
            f'\tRegion:      aws.String("{r.choice(REGIONS)}"),\n'
            f'\tCredentials: credentials.NewStaticCredentials("{kid}", "{sk}", ""),\n}}))\n', [kid, sk])


def aws_cli_configure(r: random.Random) -> Made:
    sk = tk.aws_secret_key(r)
    return f"aws configure set aws_secret_access_key {sk} --profile deploy\n", [sk]


def aws_java(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    return (f'AWSCredentials creds = new BasicAWSCredentials("{kid}", "{sk}");\n'
            "AmazonS3 s3 = AmazonS3ClientBuilder.standard()"
            ".withCredentials(new AWSStaticCredentialsProvider(creds)).build();\n", [kid, sk])


def aws_actions_yaml(r: random.Random) -> Made:
    kid, sk = tk.aws_access_key_id(r), tk.aws_secret_key(r)
    return ("jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n"
            f"      AWS_ACCESS_KEY_ID: {kid}\n      AWS_SECRET_ACCESS_KEY: {sk}\n", [kid, sk])


def aws_log_line(r: random.Random) -> Made:
    kid = tk.aws_access_key_id(r)
    return (f"2026-11-21 14:02:11,384 DEBUG [botocore.auth] CanonicalRequest signed with credential "
            f"{kid}/20261121/{r.choice(REGIONS)}/s3/aws4_request\n", [kid])


# -- GCP -----------------------------------------------------------------------------------------------------

def gcp_service_account(r: random.Random) -> Made:
    _, pem, lines = tk.private_key(r, "PRIVATE KEY")
    project = r.choice(["acme-prod", "data-lake-431", "ml-train-22"])
    doc = {"type": "service_account", "project_id": project, "private_key_id": tk.pick(r, tk.HEX, 40),
           "private_key": pem, "client_email": f"{_user(r)}@{project}.iam.gserviceaccount.com",
           "client_id": tk.pick(r, tk.DIGITS, 21), "auth_uri": "https://accounts.google.com/o/oauth2/auth",
           "token_uri": "https://oauth2.googleapis.com/token"}
    return json.dumps(doc, indent=2) + "\n", lines


def gcp_api_key_url(r: random.Random) -> Made:
    key = tk.gcp_api_key(r)
    return (f'resp = requests.get("https://maps.googleapis.com/maps/api/geocode/json", '
            f'params={{"address": addr, "key": "{key}"}})\n', [key])


def gcp_api_key_env(r: random.Random) -> Made:
    key = tk.gcp_api_key(r)
    return f"GOOGLE_API_KEY={key}\nGOOGLE_CLOUD_PROJECT=acme-prod\n", [key]


def gcp_access_token(r: random.Random) -> Made:
    tok = "ya29." + tk.pick(r, tk.URLSAFE, r.randrange(120, 200))
    refresh = "1//0" + tk.pick(r, tk.URLSAFE, r.randrange(60, 100))
    return (json.dumps({"access_token": tok, "expires_in": 3599, "refresh_token": refresh,
                        "scope": "https://www.googleapis.com/auth/cloud-platform", "token_type": "Bearer"})
            + "\n", [tok, refresh])


def gcp_oauth_client(r: random.Random) -> Made:
    secret = tk.gcp_oauth_secret(r)
    doc = {"installed": {"client_id": tk.pick(r, tk.DIGITS, 12) + "-" + tk.pick(r, tk.LOWER + tk.DIGITS, 32)
                         + ".apps.googleusercontent.com", "project_id": "acme-prod",
                         "client_secret": secret, "redirect_uris": ["http://localhost"]}}
    return json.dumps(doc) + "\n", [secret]


# -- Azure ---------------------------------------------------------------------------------------------------

def azure_connection_string(r: random.Random) -> Made:
    key = tk.azure_storage_key(r)
    account = r.choice(["acmeprodstore", "mlartifacts01", "backupsweu"])
    text = (f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};"
            "EndpointSuffix=core.windows.net")
    wrap = r.choice(["env", "json", "code"])
    if wrap == "env":
        return f"AZURE_STORAGE_CONNECTION_STRING=\"{text}\"\n", [key]
    if wrap == "json":
        return json.dumps({"Values": {"AzureWebJobsStorage": text}}, indent=2) + "\n", [key]
    return f'blob_service = BlobServiceClient.from_connection_string("{text}")\n', [key]


def azure_sas_url(r: random.Random) -> Made:
    sig = tk.azure_sas_signature(r)
    return (f"azcopy copy ./dist 'https://acmeprodstore.blob.core.windows.net/releases?sv=2022-11-02&ss=b"
            f"&srt=co&sp=rwdlac&se=2026-12-01T00:00:00Z&st=2026-11-20T00:00:00Z&spr=https&sig={sig}' "
            "--recursive\n", [sig])


def azure_client_secret(r: random.Random) -> Made:
    secret = tk.azure_client_secret(r)
    form = r.choice(["env", "json", "cli"])
    if form == "env":
        return (f"AZURE_TENANT_ID=72f988bf-86f1-41af-91ab-2d7cd011db47\nAZURE_CLIENT_SECRET={secret}\n",
                [secret])
    if form == "json":
        return json.dumps({"clientId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "clientSecret": secret,
                           "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}, indent=2) + "\n", [secret]
    return (f"az login --service-principal -u 04b07795-8ddb-461a-bbee-02f9e1bf7b46 -p {secret} "
            "--tenant 72f988bf-86f1-41af-91ab-2d7cd011db47\n", [secret])


def azure_service_bus(r: random.Random) -> Made:
    key = tk.azure_shared_access_key(r)
    return (f"SERVICEBUS_CONNECTION=Endpoint=sb://acme-events.servicebus.windows.net/;"
            f"SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key}\n", [key])


def azure_cosmos(r: random.Random) -> Made:
    key = tk.azure_storage_key(r)
    return (f'"CosmosDb": "AccountEndpoint=https://acme-cosmos.documents.azure.com:443/;AccountKey={key};"\n',
            [key])


def azure_keys_list(r: random.Random) -> Made:
    k1, k2 = tk.azure_storage_key(r), tk.azure_storage_key(r)
    doc = [{"creationTime": "2026-10-01T08:12:44.5591234+00:00", "keyName": "key1", "permissions": "FULL",
            "value": k1},
           {"creationTime": "2026-10-01T08:12:44.5591234+00:00", "keyName": "key2", "permissions": "FULL",
            "value": k2}]
    return "$ az storage account keys list -n acmeprodstore\n" + json.dumps(doc, indent=2) + "\n", [k1, k2]


def azure_function_key(r: random.Random) -> Made:
    code = tk.b64(r, 40, urlsafe=True)
    return f'curl -X POST "https://acme-fn.azurewebsites.net/api/ingest?code={code}" -d @batch.json\n', [code]


def azure_cli_account_key(r: random.Random) -> Made:
    key = tk.azure_storage_key(r)
    return (f"az storage blob upload --account-name acmeprodstore --account-key {key} "
            "--container-name releases --file app.zip\n", [key])


# -- GitHub / GitLab -----------------------------------------------------------------------------------------

def github_clone_url(r: random.Random) -> Made:
    tok = tk.github_token(r)
    return f"git clone https://{_user(r)}:{tok}@github.com/acme/platform.git\n", [tok]


def github_env(r: random.Random) -> Made:
    tok = tk.github_token(r)
    name = r.choice(["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "GH_ENTERPRISE_TOKEN"])
    return f"export {name}={tok}\n", [tok]


def github_api_curl(r: random.Random) -> Made:
    tok = tk.github_token(r)
    scheme = r.choice(["token", "Bearer"])
    return (f'curl -s -H "Authorization: {scheme} {tok}" -H "Accept: application/vnd.github+json" '
            "https://api.github.com/repos/acme/platform/pulls\n", [tok])


def github_python(r: random.Random) -> Made:
    tok = tk.github_token(r)
    return f'from github import Github\n\ngh = Github("{tok}")\nrepo = gh.get_repo("acme/platform")\n', [tok]


def github_credentials_file(r: random.Random) -> Made:
    tok = tk.github_token(r)
    return f"https://{_user(r)}:{tok}@github.com\n", [tok]


def gitlab_remote(r: random.Random) -> Made:
    tok = tk.gitlab_token(r)
    if tok.startswith("GR1348941"):
        return (f"gitlab-runner register --non-interactive --url https://gitlab.com/ "
                f"--registration-token {tok} --executor docker\n", [tok])
    form = r.choice(["remote", "header", "env"])
    if form == "remote":
        return f"git remote set-url origin https://oauth2:{tok}@gitlab.com/acme/infra.git\n", [tok]
    if form == "header":
        return (f'curl --header "PRIVATE-TOKEN: {tok}" "https://gitlab.com/api/v4/projects/42/pipelines"\n',
                [tok])
    return f"GITLAB_TOKEN={tok}\nCI_SERVER_URL=https://gitlab.com\n", [tok]


# -- chat, payments, registries ------------------------------------------------------------------------------

def slack_bot(r: random.Random) -> Made:
    tok = tk.slack_token(r)
    form = r.choice(["python", "env", "yaml"])
    if form == "python":
        return f'from slack_sdk import WebClient\n\nclient = WebClient(token="{tok}")\n', [tok]
    if form == "env":
        return f"SLACK_BOT_TOKEN={tok}\nSLACK_CHANNEL=#deploys\n", [tok]
    return f"slack:\n  channel: '#alerts'\n  token: {tok}\n", [tok]


def slack_webhook(r: random.Random) -> Made:
    path = tk.slack_webhook_path(r)
    return (f"curl -X POST -H 'Content-type: application/json' --data '{{\"text\":\"deploy done\"}}' "
            f"https://hooks.slack.com/services/{path}\n", [path])


def stripe_code(r: random.Random) -> Made:
    key = tk.stripe_key(r)
    if key.startswith("whsec_"):
        return f"STRIPE_WEBHOOK_SECRET={key}\n", [key]
    form = r.choice(["python", "curl", "env", "js"])
    if form == "python":
        return f'import stripe\nstripe.api_key = "{key}"\n', [key]
    if form == "curl":
        return f"curl https://api.stripe.com/v1/charges -u {key}: -d amount=2000 -d currency=eur\n", [key]
    if form == "js":
        return f"const stripe = require('stripe')('{key}');\n", [key]
    return f"STRIPE_SECRET_KEY={key}\n", [key]


def npm_rc(r: random.Random) -> Made:
    form = r.choice(["npmrc", "npmrc-uuid", "env", "config-set", "yarnrc"])
    if form == "npmrc-uuid":
        tok = str(uuid.UUID(int=r.getrandbits(128), version=4))
        return f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={tok}\n", [tok]
    tok = tk.npm_token(r)
    if form == "npmrc":
        return f"//registry.npmjs.org/:_authToken={tok}\nalways-auth=true\n", [tok]
    if form == "config-set":
        return f"npm config set //registry.npmjs.org/:_authToken {tok}\n", [tok]
    if form == "yarnrc":
        return f'npmRegistryServer: "https://registry.npmjs.org"\nnpmAuthToken: "{tok}"\n', [tok]
    return f"NPM_TOKEN={tok}\n", [tok]


def npm_legacy_auth(r: random.Random) -> Made:
    auth = tk.b64(r, r.randrange(18, 30))
    return f"registry=https://npm.acme.io/\n_auth={auth}\nemail=ci@acme.io\nalways-auth=true\n", [auth]


def pypi_upload(r: random.Random) -> Made:
    tok = tk.pypi_token(r)
    form = r.choice(["pypirc", "twine", "env"])
    if form == "pypirc":
        return f"[pypi]\n  username = __token__\n  password = {tok}\n", [tok]
    if form == "twine":
        return f"twine upload -u __token__ -p {tok} dist/*\n", [tok]
    return f"TWINE_USERNAME=__token__\nTWINE_PASSWORD={tok}\n", [tok]


# -- AI providers --------------------------------------------------------------------------------------------

def openai_code(r: random.Random) -> Made:
    key = tk.openai_key(r)
    form = r.choice(["python", "env", "curl", "js"])
    if form == "python":
        return f'from openai import OpenAI\n\nclient = OpenAI(api_key="{key}")\n', [key]
    if form == "env":
        return f"OPENAI_API_KEY={key}\n", [key]
    if form == "curl":
        return (f'curl https://api.openai.com/v1/chat/completions -H "Content-Type: application/json" '
                f'-H "Authorization: Bearer {key}" -d @req.json\n', [key])
    return f'const openai = new OpenAI({{ apiKey: "{key}" }});\n', [key]


def anthropic_code(r: random.Random) -> Made:
    key = tk.anthropic_key(r)
    form = r.choice(["python", "env", "curl"])
    if form == "python":
        return f'import anthropic\n\nclient = anthropic.Anthropic(api_key="{key}")\n', [key]
    if form == "env":
        return f"export ANTHROPIC_API_KEY='{key}'\n", [key]
    return (f'curl https://api.anthropic.com/v1/messages -H "x-api-key: {key}" '
            '-H "anthropic-version: 2023-06-01" -d @msg.json\n', [key])


# -- JWTs ----------------------------------------------------------------------------------------------------

def jwt_contexts(r: random.Random) -> Made:
    tok = tk.jwt(r)
    form = r.choice(["curl", "log", "cookie", "json", "js", "test"])
    if form == "curl":
        return f"curl -H 'Authorization: Bearer {tok}' https://api.acme.io/v2/me\n", [tok]
    if form == "log":
        return (f'10.0.4.21 - - [21/Nov/2026:10:14:03 +0000] "GET /v2/orders HTTP/1.1" 200 5123 "-" '
                f'"python-requests/2.32" auth="Bearer {tok}"\n', [tok])
    if form == "cookie":
        return f"Set-Cookie: session={tok}; Path=/; HttpOnly; Secure; SameSite=Lax\n", [tok]
    if form == "json":
        return json.dumps({"access_token": tok, "token_type": "Bearer", "expires_in": 3600}) + "\n", [tok]
    if form == "js":
        return (f"const token = '{tok}';\n"
                "fetch(url, { headers: { Authorization: `Bearer ${token}` } });\n", [tok])
    return (f"E       AssertionError: assert '{tok}' == None\nE        +  where '{tok}' = "
            "response.cookies.get('session')\n", [tok])


# -- private keys --------------------------------------------------------------------------------------------

def pem_file(r: random.Random) -> Made:
    _, pem, lines = tk.private_key(r)
    return pem, lines


def pem_in_yaml(r: random.Random) -> Made:
    _, pem, lines = tk.private_key(r, r.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"]))
    body = "".join("    " + line + "\n" for line in pem.splitlines())
    return ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ntype: kubernetes.io/tls\nstringData:\n"
            f"  tls.key: |\n{body}", lines)


def pem_in_python(r: random.Random) -> Made:
    _, pem, lines = tk.private_key(r, r.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY"]))
    return f'SIGNING_KEY = """{pem}"""\n\nsigner = load_pem_private_key(SIGNING_KEY.encode(), None)\n', lines


def pem_in_terminal(r: random.Random) -> Made:
    kind, pem, lines = tk.private_key(r, r.choice(["OPENSSH PRIVATE KEY", "RSA PRIVATE KEY"]))
    name = "id_ed25519" if kind.startswith("OPENSSH") else "id_rsa"
    return f"$ cat ~/.ssh/{name}\n{pem}$ ", lines


def pem_truncated_tail(r: random.Random) -> Made:
    _, pem, lines = tk.private_key(r, "RSA PRIVATE KEY")
    keep = r.randrange(3, max(4, len(lines) - 2))
    head = pem.splitlines()[: keep + 1]
    return "\n".join(head) + "\n", lines[:keep]


def pem_json_escaped(r: random.Random) -> Made:
    _, pem, lines = tk.private_key(r, "PRIVATE KEY")
    return json.dumps({"signing": {"alg": "RS256", "key": pem}}) + "\n", lines


# -- URLs and connection strings -----------------------------------------------------------------------------

def db_url(r: random.Random) -> Made:
    pw = tk.url_password(r)
    scheme = r.choice(["postgresql", "postgres", "postgresql+psycopg2", "mysql+pymysql", "mysql",
                       "mongodb+srv", "mongodb", "amqp", "amqps", "mssql+pyodbc", "redis", "rediss", "https",
                       "ftp", "sftp"])
    user = "" if scheme.startswith("redis") and r.random() < 0.5 else _user(r)
    url = f"{scheme}://{user}:{pw}@{_host(r)}/{r.choice(['app', 'orders', '0', 'prod'])}"
    form = r.choice(["env", "python", "yaml", "log", "cli", "compose"])
    if form == "env":
        return f"DATABASE_URL={url}\n", [pw]
    if form == "python":
        return f'engine = create_engine("{url}", pool_pre_ping=True)\n', [pw]
    if form == "yaml":
        return f"spring:\n  datasource:\n    url: {url}\n", [pw]
    if form == "log":
        return (f"sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not connect to server\n"
                f"(Background on this error at: https://sqlalche.me/e/20/e3q8) url={url}\n", [pw])
    if form == "compose":
        return f"services:\n  worker:\n    environment:\n      - BROKER_URL={url}\n", [pw]
    return f'psql "{url}" -c "select 1"\n', [pw]


def jdbc_url(r: random.Random) -> Made:
    pw = tk.url_password(r)
    return (f"spring.datasource.url=jdbc:postgresql://{_host(r)}:5432/app?user={_user(r)}&password={pw}"
            "&ssl=true\n", [pw])


def ado_connection(r: random.Random) -> Made:
    pw = tk.password(r).replace(";", "!")
    text = ("Server=tcp:acme-sql.database.windows.net,1433;Initial Catalog=orders;"
            "Persist Security Info=False;"
            f"User ID={_user(r)};Password={pw};MultipleActiveResultSets=False;Encrypt=True;")
    if r.random() < 0.5:
        return json.dumps({"ConnectionStrings": {"Default": text}}, indent=2) + "\n", [pw]
    return f'var conn = new SqlConnection("{text}");\n', [pw]


def libpq_dsn(r: random.Random) -> Made:
    pw = tk.password(r).replace("'", "").replace(" ", "")
    return f"conn = psycopg2.connect(\"host={_host(r)} dbname=app user={_user(r)} password={pw}\")\n", [pw]


# -- .env files and environment ------------------------------------------------------------------------------

ENV_NAMES = ["SECRET_KEY", "DJANGO_SECRET_KEY", "JWT_SECRET", "SESSION_SECRET", "DATABASE_PASSWORD",
             "DB_PASS", "REDIS_PASSWORD", "SMTP_PASSWORD", "API_KEY", "API_TOKEN", "ENCRYPTION_KEY",
             "APP_KEY", "OAUTH_CLIENT_SECRET", "WEBHOOK_SECRET", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD",
             "AUTH_TOKEN", "ADMIN_PASSWORD", "SIGNING_SECRET", "MASTER_KEY", "PRIVATE_TOKEN", "ACCESS_TOKEN",
             "SECRET"]


def _env_value(r: random.Random, name: str) -> str:
    if "DJANGO" in name:
        return tk.django_secret_key(r)
    if "PASS" in name:
        return tk.password(r)
    if name == "APP_KEY":
        return "base64:" + tk.b64(r, 32)
    return tk.generic_token(r)


def dotenv_file(r: random.Random) -> Made:
    names = r.sample(ENV_NAMES, r.randrange(2, 5))
    lines, values = ["# local development", "DEBUG=true", "PORT=8080"], []
    for name in names:
        value = _env_value(r, name)
        values.append(value)
        special = any(c in value for c in "#$&|;()")
        quote = r.choice(['"', "'"]) if special else r.choice(["", "", '"', "'"])
        lines.append(f"{name}={quote}{value}{quote}")
    r.shuffle(lines)
    return "\n".join(lines) + "\n", values


def dockerfile_env(r: random.Random) -> Made:
    name = r.choice(ENV_NAMES)
    value = _env_value(r, name).replace('"', "")
    return f'FROM python:3.12-slim\nENV {name}="{value}"\nCOPY . /app\n', [value]


def k8s_env(r: random.Random) -> Made:
    name = r.choice(ENV_NAMES)
    value = _env_value(r, name).replace('"', "")
    return (f'        env:\n          - name: {name}\n            value: "{value}"\n'
            "          - name: LOG_LEVEL\n            value: info\n", [value])


def k8s_secret_base64(r: random.Random) -> Made:
    """Credentials wrapped in base64: a Kubernetes Secret's `data` (a Docker config, a whole `.env`), or
    decoded in a shell. The whole run is the secret: a part of an encoding hides nothing."""
    pw = tk.password(r)
    form = r.choice(["dockerconfigjson", "docker-auth", "dotenv", "decode", "assigned"])
    if form in ("dockerconfigjson", "docker-auth"):
        entry = {"auth": tk.base64_text(f"{_user(r)}:{pw}")}
        if form == "dockerconfigjson":
            entry = {"username": _user(r), "password": pw, **entry}
        value = tk.base64_text(json.dumps({"auths": {"registry.acme.io": entry}}))
        return ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n"
                f"type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {value}\n", [value])
    name = r.choice(ENV_NAMES)
    env = (f"DEBUG=false\n{name}={_env_value(r, name)}\n"
           f"DATABASE_URL=postgres://{_user(r)}:{tk.url_password(r)}@{_host(r)}:5432/app\n")
    value = tk.base64_text(env)
    if form == "dotenv":
        return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-env\ndata:\n  .env: {value}\n", [value]
    if form == "assigned":  # under a name that says nothing of a secret
        name = r.choice(["ENV_FILE_B64", "APP_ENV", "CONFIG_B64", "DOTENV_CONTENT", "SETTINGS"])
        line = r.choice([f"{name}={value}", f"export {name}={value}",
                         f"docker run -e {name}={value} acme/api"])
        return f"{line}\n", [value]
    return f"echo {value} | base64 -d > .env\n", [value]


def inline_env_command(r: random.Random) -> Made:
    name = r.choice(["PGPASSWORD", "MYSQL_PWD", "API_KEY", "REDIS_PASSWORD", "VAULT_TOKEN"])
    value = tk.password(r).replace("'", "") if "PASS" in name or "PWD" in name else tk.generic_token(r)
    return f"{name}='{value}' ./scripts/migrate.sh --env prod\n", [value]


# -- keyword + value in code and config ----------------------------------------------------------------------

GENERIC_NAMES = ["api_key", "apiKey", "API_KEY", "client_secret", "clientSecret", "auth_token",
                 "access_token",
                 "secret", "secret_key", "password", "db_password", "private_token", "apiSecret", "api_token",
                 "token", "x_api_key", "consumer_secret", "signing_key", "encryption_key", "webhook_secret",
                 "bearer_token", "refresh_token", "passwd", "master_key", "app_secret"]


def _generic_value(r: random.Random, name: str) -> str:
    if "pass" in name.lower():
        return tk.password(r).replace('"', "").replace("'", "")
    return tk.generic_token(r)


def generic_code(r: random.Random) -> Made:
    name = r.choice(GENERIC_NAMES)
    value = _generic_value(r, name)
    lang = r.choice(["python", "python-kw", "js", "go", "java", "csharp", "ruby", "php", "rust", "kotlin"])
    text = {
        "python": f'{name} = "{value}"\n',
        "python-kw": f'client = ApiClient(base_url="https://api.acme.io", {name}="{value}", timeout=30)\n',
        "js": f"const config = {{\n  baseUrl: 'https://api.acme.io',\n  {name}: '{value}',\n}};\n",
        "go": f'const {name} = "{value}"\n',
        "java": f'    private static final String {name.upper()} = "{value}";\n',
        "csharp": f'    options.{name[0].upper() + name[1:]} = "{value}";\n',
        "ruby": f"  config.{name} = '{value}'\n",
        "php": f"    '{name}' => '{value}',\n",
        "rust": f'let {name.lower()} = String::from("{value}");\n',
        "kotlin": f'val {name} = "{value}"\n',
    }[lang]
    return text, [value]


def generic_config(r: random.Random) -> Made:
    name = r.choice(GENERIC_NAMES)
    value = _generic_value(r, name)
    fmt = r.choice(["yaml", "yaml-quoted", "json", "toml", "ini", "properties", "xml", "xml-attr", "hcl"])
    text = {
        "yaml": f"service:\n  url: https://api.acme.io\n  {name}: {value}\n",
        "yaml-quoted": f"service:\n  {name}: \"{value}\"\n  retries: 3\n",
        "json": json.dumps({"service": {"url": "https://api.acme.io", name: value, "retries": 3}},
                           indent=2) + "\n",
        "toml": f'[service]\nurl = "https://api.acme.io"\n{name} = "{value}"\n',
        "ini": f"[service]\nurl = https://api.acme.io\n{name} = {value}\n",
        "properties": f"service.url=https://api.acme.io\nservice.{name}={value}\n",
        "xml": f"<service>\n  <url>https://api.acme.io</url>\n  <{name}>{value}</{name}>\n</service>\n",
        "xml-attr": f'<appSettings>\n  <add key="{name}" value="{value}" />\n</appSettings>\n',
        "hcl": f'variable "{name}" {{\n  default = "{value}"\n  sensitive = true\n}}\n',
    }[fmt]
    return text, [value]


def generic_cli(r: random.Random) -> Made:
    value = tk.generic_token(r)
    pw = tk.password(r).replace("'", "")
    form = r.choice(["flag", "flag-eq", "header", "mysql", "docker", "curl-user", "sshpass", "helm", "redis",
                     "htpasswd", "stdin", "here-string", "sudo", "chpasswd", "stdin-word"])
    if form == "flag":
        return f"./bin/sync --api-key {value} --region eu\n", [value]
    if form == "flag-eq":
        return f"vault-agent --token={value} --address=https://vault.acme.io\n", [value]
    if form == "header":
        return f"curl -H 'X-API-Key: {value}' https://api.acme.io/v1/usage\n", [value]
    if form == "mysql":
        return f"mysql -h {_host(r)} -u {_user(r)} -p'{pw}' orders < dump.sql\n", [pw]
    if form == "docker":
        return f"docker login registry.acme.io -u {_user(r)} -p '{pw}'\n", [pw]
    if form == "curl-user":
        return (f"curl -u {_user(r)}:{pw.replace(' ', '')} https://nexus.acme.io/service/rest/v1/status\n",
                [pw])
    if form == "sshpass":
        return f"sshpass -p '{pw}' ssh deploy@10.0.3.17 'systemctl restart api'\n", [pw]
    if form == "redis":
        return f"redis-cli -h {_host(r)} -p 6379 -a '{pw}' --no-auth-warning info keyspace\n", [pw]
    if form == "htpasswd":
        flags = r.choice(["-b", "-bc", "-bB", "-Bb -C 12"])
        return f"htpasswd {flags} /etc/nginx/.htpasswd {_user(r)} '{pw}'\n", [pw]
    if form == "stdin":
        feed = r.choice([f"echo '{pw}'", f"echo -n '{pw}'", f"printf '%s' '{pw}'", f"printf %s '{pw}'",
                         f"printf '%s\\n' '{pw}'", f"cat <<< '{pw}'"])
        return f"{feed} | docker login registry.acme.io -u {_user(r)} --password-stdin\n", [pw]
    if form == "stdin-word":  # a password of plain words, options anywhere around `--password-stdin`
        word = "".join(r.sample(["maple", "orbit", "violet", "canyon", "ember", "copper", "willow",
                                 "harbor"], 2))
        login = r.choice(["docker login -u admin --password-stdin registry.acme.io",
                          "podman login --username ci --tls-verify=false --password-stdin quay.io",
                          "helm registry login ghcr.io -u ci --password-stdin",
                          "nerdctl --namespace k8s.io login -u ci --password-stdin acme.io"])
        return f"echo {word} | {login}\n", [word]
    if form == "here-string":
        return f"podman login quay.io -u {_user(r)} --password-stdin <<< '{pw}'\n", [pw]
    if form == "sudo":
        command = r.choice(["systemctl restart nginx", "-u postgres psql -c 'select 1'", "apt-get update"])
        if r.random() < 0.5:
            return f"sudo -S {command} <<< '{pw}'\n", [pw]
        return f"echo '{pw}' | sudo -S {command}\n", [pw]
    if form == "chpasswd":
        return f"echo '{_user(r)}:{pw}' | chpasswd\n", [pw]
    return f"helm repo add acme https://charts.acme.io --username ci --password '{pw}'\n", [pw]


def basic_auth_pair(r: random.Random) -> Made:
    pw = tk.password(r).replace('"', "").replace("'", "")
    form = r.choice(["requests", "httpx", "csharp", "docker-config"])
    if form == "requests":
        return f'resp = requests.get(url, auth=("{_user(r)}", "{pw}"), timeout=10)\n', [pw]
    if form == "httpx":
        return f'client = httpx.Client(auth=httpx.BasicAuth("{_user(r)}", "{pw}"))\n', [pw]
    if form == "csharp":
        return f'var cred = new NetworkCredential("{_user(r)}", "{pw}");\n', [pw]
    auth = tk.b64(r, 24)
    return json.dumps({"auths": {"registry.acme.io": {"auth": auth}}}, indent=2) + "\n", [auth]


def shell_variants(r: random.Random) -> Made:
    value = tk.generic_token(r)
    name = r.choice(["API_TOKEN", "SECRET_KEY", "DEPLOY_TOKEN", "SERVICE_API_KEY"])
    form = r.choice(["fish", "csh", "powershell", "cmd"])
    if form == "fish":
        return f"set -gx {name} {value}\n", [value]
    if form == "csh":
        return f"setenv {name} {value}\n", [value]
    if form == "powershell":
        return f'$env:{name} = "{value}"\n', [value]
    return f"set {name}={value}\r\n", [value]


def dotted_token(r: random.Random) -> Made:
    value = (tk.b64(r, 18, urlsafe=True, pad=False) + "." + tk.b64(r, 4, urlsafe=True, pad=False) + "."
             + tk.b64(r, 20, urlsafe=True, pad=False))
    return f'DISCORD_BOT_TOKEN = "{value}"\nbot.run(DISCORD_BOT_TOKEN)\n', [value]


def okta_ssws(r: random.Random) -> Made:
    value = "00" + tk.pick(r, tk.URLSAFE, 40)
    return f'curl -H "Authorization: SSWS {value}" https://acme.okta.com/api/v1/users\n', [value]


def generic_log(r: random.Random) -> Made:
    value = tk.generic_token(r)
    form = r.choice(["kv", "json", "debug", "traceback"])
    if form == "kv":
        return (f"2026-11-21T09:13:44Z level=debug msg=\"calling upstream\" endpoint=/v1/sync "
                f"api_key={value} status=401\n", [value])
    if form == "json":
        return json.dumps({"ts": "2026-11-21T09:13:44Z", "level": "debug", "request": {
            "headers": {"Authorization": f"Bearer {value}", "Accept": "*/*"}}}) + "\n", [value]
    if form == "debug":
        return f"DEBUG:root:Using token={value} for https://api.acme.io\n", [value]
    return (f"Traceback (most recent call last):\n  File \"sync.py\", line 41, in <module>\n    "
            f"client.login(secret='{value}')\nrequests.exceptions.HTTPError: 401 Client Error\n", [value])


def other_vendor_tokens(r: random.Random) -> Made:
    name, value = tk.other_vendor(r)
    form = r.choice(["env", "export", "yaml", "python"])
    if form == "env":
        return f"{name}={value}\n", [value]
    if form == "export":
        return f"export {name}=\"{value}\"\n", [value]
    if form == "yaml":
        return f"env:\n  {name}: {value}\n", [value]
    return f'os.environ.setdefault("{name}", "{value}")\n', [value]


def commit_message(r: random.Random) -> Made:
    value = r.choice([tk.aws_access_key_id, tk.github_token, tk.stripe_key, tk.slack_token, tk.openai_key])(r)
    return (f"Remove hard-coded credential\n\nThe key {value} was committed by mistake in config.py;\n"
            "it has been rotated.\n", [value])


def failing_test(r: random.Random) -> Made:
    value = r.choice([tk.github_token, tk.npm_token, tk.anthropic_key, tk.gcp_api_key])(r)
    return ("    def test_client_uses_token():\n        client = make_client()\n"
            ">       assert client.token == "
            f"'{value}'\nE       AssertionError: assert None == '{value}'\n", [value])


FAMILIES: dict[str, list[Context]] = {
    "aws": [aws_credentials_file, aws_env_exports, aws_boto3, aws_terraform, aws_sts_json, aws_console_csv,
            aws_docker_run, aws_js_client, aws_go_static, aws_cli_configure, aws_log_line, aws_java,
            aws_actions_yaml],
    "gcp": [gcp_service_account, gcp_api_key_url, gcp_api_key_env, gcp_oauth_client, gcp_access_token],
    "azure": [azure_connection_string, azure_sas_url, azure_client_secret, azure_service_bus, azure_cosmos,
              azure_cli_account_key, azure_keys_list, azure_function_key],
    "github": [github_clone_url, github_env, github_api_curl, github_python, github_credentials_file],
    "gitlab": [gitlab_remote],
    "slack": [slack_bot, slack_webhook],
    "stripe": [stripe_code],
    "npm": [npm_rc, npm_rc, npm_legacy_auth],
    "pypi": [pypi_upload],
    "openai": [openai_code],
    "anthropic": [anthropic_code],
    "jwt": [jwt_contexts],
    "private-key": [pem_file, pem_in_yaml, pem_in_python, pem_in_terminal, pem_truncated_tail,
                    pem_json_escaped],
    "url-password": [db_url, jdbc_url, ado_connection, libpq_dsn],
    "env": [dotenv_file, dockerfile_env, k8s_env, inline_env_command, k8s_secret_base64],
    "generic": [generic_code, generic_config, generic_cli, generic_log, basic_auth_pair, shell_variants,
                dotted_token],
    "other-tokens": [other_vendor_tokens, other_vendor_tokens, okta_ssws],
    "commit-and-tests": [commit_message, failing_test],
}
