"""The rules of issue 10's tenth session, each by kind of line: a REPL's echo of a value under a prompt
naming a secret (sessions.py), a secret handed to a command that stores it (commands.py), DynamoDB's typed
fields (records.py), a YAML block's `Default:` (defaults.py), an object's fields as a program prints them,
VB.NET's `As String`, a drawn URL user before a password (builtin.py), a host's first label mixing cases as
a draw does (generated.py). Each finds its secret, the same by the scan and by the rules run where the
engine's prefilters say; look-alikes (code, names, ids, hashes, words, placeholders, hosts) find nothing.
Every value is made up here."""

from __future__ import annotations

import pytest

from tests.unit.redact.examples import found, found_where_prefiltered

HEX = "5e0b9a7c13d84f26ab90c4e17d3f62a8"  # 32 hexadecimal digits, made up
DRAWN = "Wm4kQz8Rb2VxT7nLc5Hs9PdJ3gYf6AeK"  # letters and digits drawn at random, made up
SHORT = "Pk7wR2mXq9ZtB4vN"  # 16 drawn characters
PASSWORD = "Lq3!vo-Te8s2Wn"
WORDS_AND_DIGITS = "Dragon77"  # a person's password: a word and digits, no token's look

ECHOES = [
    (f'>>> import os\n>>> os.environ["ACME_API_TOKEN"]\n\'{HEX}\'\n', HEX),
    (f"In [7]: config.BILLING_SECRET_KEY\nOut[7]: '{DRAWN}'\n", DRAWN),
    (f"> process.env.ACME_ACCESS_TOKEN\n'{DRAWN}'\n", DRAWN),
    (f"irb(main):004:0> ENV['ACME_API_KEY']\n=> \"{DRAWN}\"\n", DRAWN),
    (f"[2] pry(main)> Rails.application.credentials.stripe_token\n=> \"{DRAWN}\"\n", DRAWN),
]
ECHOES_KEPT = [
    # an echo that is no string, or a word, a path, a placeholder
    ">>> len(api_token)\n32\n",
    ">>> os.environ['API_TOKEN']\n'changeme'\n",
    ">>> settings.TOKEN_FILE\n'/run/secrets/api-token'\n",
    "In [3]: os.environ.get('API_KEY')\nOut[3]: '<your-api-key>'\n",
    # a prompt naming no secret, and a Markdown quote above a line
    f">>> settings.BUILD_ID\n'{DRAWN[:8]}'\n",
    "> See the token docs\n'quoted text here for you'\n",
]

COMMANDS = [
    (f'gh secret set ACME_DEPLOY_TOKEN --body "{DRAWN}" --repo acme/site\n', DRAWN),
    (f'az keyvault secret set --vault-name ops-kv --name billing-api-key --value "{HEX}"\n', HEX),
    (f"aws ssm put-parameter --name /prod/billing/api-token --type SecureString --value '{DRAWN}'\n",
     DRAWN),
    (f"aws secretsmanager create-secret --name acme/stripe-secret --secret-string {DRAWN}\n", DRAWN),
    (f"printf '{HEX}' | docker secret create acme-api-key -\n", HEX),
    (f"printf '%s' '{DRAWN}' | gcloud secrets versions add acme-token --data-file=-\n", DRAWN),
    (f"echo '{PASSWORD}' | docker login -u deploy --password-stdin registry.acme.test\n", PASSWORD),
]
COMMANDS_KEPT = [
    # variables, files, names and words, not values
    'gh secret set ACME_DEPLOY_TOKEN --body "$ACME_DEPLOY_TOKEN"\n',
    "aws ssm put-parameter --name /prod/api-token --type SecureString --value file://token.txt\n",
    'az keyvault secret set --vault-name ops-kv --name api-key --value "replace-me"\n',
    'echo "$REGISTRY_PASSWORD" | docker login -u deploy --password-stdin\n',
    "echo 'building release notes' | tee docs/secrets.md\n",
    # a pipe that stores nothing
    f"printf '{HEX}' | sha256sum\n",
    # a value flag under a name that says nothing secret
    'aws ssm put-parameter --name /prod/build-id --value "release-2024-11-build"\n',
]

# issue 24: passwords a tool takes as an argument, and literals fed to a login's standard input
PASSWORDS_GIVEN = [
    (f"redis-cli -h cache.internal -p 6379 -a {SHORT} --no-auth-warning ping\n", SHORT),
    ("redis-cli -a hunter22 ping\n", "hunter22"),
    (f"redis-cli --pass '{PASSWORD}' -h cache.internal\n", PASSWORD),
    (f"htpasswd -b /etc/nginx/.htpasswd admin '{PASSWORD}'\n", PASSWORD),
    ("htpasswd -bc .htpasswd alice s3cr3tPw9\n", "s3cr3tPw9"),
    (f"htpasswd -nbB deploy {SHORT} > users.txt\n", SHORT),
    ("mysql -h db.internal -u root -pS3cretPw9 orders < dump.sql\n", "S3cretPw9"),
    (f"mysqldump -uroot -p'{PASSWORD}' orders > orders.sql\n", PASSWORD),
    ("mysql --user=root --password=S3cretPw9 orders\n", "S3cretPw9"),
    (f"sshpass -p '{PASSWORD}' ssh deploy@10.0.3.17 uptime\n", PASSWORD),
    (f"echo {SHORT} | docker login -u deploy --password-stdin registry.acme.test\n", SHORT),
    (f"echo -n '{PASSWORD}' | podman login -u deploy --password-stdin quay.io\n", PASSWORD),
    (f"printf '%s\\n' '{PASSWORD}' | helm registry login -u ci --password-stdin acme.io\n", PASSWORD),
    (f"cat <<< '{PASSWORD}' | docker login -u deploy --password-stdin\n", PASSWORD),
    (f"docker login -u deploy --password-stdin registry.acme.test <<< '{PASSWORD}'\n", PASSWORD),
    (f"cat <<EOF | docker login -u deploy --password-stdin registry.acme.test\n{PASSWORD}\nEOF\n", PASSWORD),
]
PASSWORDS_GIVEN_KEPT = [
    # variables, prompts, files, and a tool's other arguments
    'redis-cli -a "$REDIS_PASSWORD" ping\n',
    "redis-cli -h cache.internal -p 6379 --askpass ping\n",
    "htpasswd -c /etc/nginx/.htpasswd alice\n",
    'htpasswd -b /etc/nginx/.htpasswd alice "$ADMIN_PASSWORD"\n',
    "htpasswd -v /etc/nginx/.htpasswd alice\n",
    "htpasswd -B .htpasswd alice Pa55w0rd!xyz\n",
    "mysql -h db.internal -u root -p orders\n",
    "cat ~/.registry-password | docker login -u deploy --password-stdin\n",
    'cat <<EOF | docker login -u deploy --password-stdin\n$REGISTRY_PASSWORD\nEOF\n',
    'docker login -u deploy --password-stdin <<< "$REGISTRY_PASSWORD"\n',
]

# issue 24's audit: a password piped into a command that reads it from its input, by `printf` with any
# format (`%s` unquoted), into a registry login, `sudo -S`, `passwd --stdin`, `htpasswd -i`, `chpasswd`,
# gpg's `--passphrase-fd 0`, openssl's `-pass stdin`
PASSWORDS_PIPED = [
    (f"printf %s '{PASSWORD}' | docker login -u deploy --password-stdin registry.acme.test\n", PASSWORD),
    (f"printf %s {WORDS_AND_DIGITS} | docker login -u deploy --password-stdin\n", WORDS_AND_DIGITS),
    (f"printf '%s\\n' {WORDS_AND_DIGITS} | podman login -u ci --password-stdin quay.io\n", WORDS_AND_DIGITS),
    (f"printf -- '%s' '{PASSWORD}' | nerdctl login -u ci --password-stdin ghcr.io\n", PASSWORD),
    (f"echo {WORDS_AND_DIGITS} | docker login -u deploy --password-stdin\n", WORDS_AND_DIGITS),
    (f"echo {WORDS_AND_DIGITS} | regctl registry login -u ci --pass-stdin ghcr.io\n", WORDS_AND_DIGITS),
    (f"echo '{PASSWORD}' | sudo -S systemctl restart nginx\n", PASSWORD),
    (f"echo {WORDS_AND_DIGITS} | sudo -u postgres -S psql -c 'select 1'\n", WORDS_AND_DIGITS),
    (f'echo -n "{PASSWORD}" | sudo --stdin --reset-timestamp apt-get update\n', PASSWORD),
    (f"printf '%s\\n' '{PASSWORD}' | sudo -kS ls /root\n", PASSWORD),
    (f"sudo -S apt-get install -y nginx <<< '{PASSWORD}'\n", PASSWORD),
    (f"cat <<EOF | sudo -S apt-get update\n{PASSWORD}\nEOF\n", PASSWORD),
    (f"echo '{PASSWORD}' | passwd --stdin deploy\n", PASSWORD),
    (f"echo {WORDS_AND_DIGITS} | htpasswd -i /etc/nginx/.htpasswd alice\n", WORDS_AND_DIGITS),
    (f"echo 'deploy:{PASSWORD}' | chpasswd\n", PASSWORD),
    (f'RUN echo "root:{WORDS_AND_DIGITS}" | sudo chpasswd\n', WORDS_AND_DIGITS),
    (f"echo '{PASSWORD}' | gpg --batch --passphrase-fd 0 -d backup.tar.gpg\n", PASSWORD),
    (f"echo {WORDS_AND_DIGITS} | openssl enc -d -aes-256-cbc -pass stdin -in notes.enc\n", WORDS_AND_DIGITS),
    # a password may begin with `%` (echo prints it as it is; printf reads it as its format)
    ("echo -n '%x0_x+3^hxk38*daDH^n' | docker login -u ci --password-stdin\n", "%x0_x+3^hxk38*daDH^n"),
]
# issue 36: what a registry login reads with `--password-stdin` (wherever among its options), and any other
# command whose input's first line is a password, is the password whatever it looks like, as `-p PASS` is:
# a plain word, a short one; only variables, templates and placeholder words are left
PASSWORDS_READ = [
    ("echo correcthorse | docker login -u admin --password-stdin\n", "correcthorse"),
    ("echo building | docker login -u deploy --password-stdin\n", "building"),
    ("echo 'maple orbit' | docker --config /tmp/cfg login --username admin --password-stdin acme.test\n",
     "maple orbit"),
    ("printf %s mysecretpassword | podman login -u ci --tls-verify=false --password-stdin quay.io\n",
     "mysecretpassword"),
    ("echo -n kestrel | helm registry login ghcr.io --username ci --password-stdin\n", "kestrel"),
    ("echo Qz7 | nerdctl login -u admin --password-stdin registry.acme.test\n", "Qz7"),
    ("oras login -u admin --password-stdin registry.acme.test <<< bluebird\n", "bluebird"),
    ("cat <<EOF | docker login -u admin --password-stdin\norchard\nEOF\n", "orchard"),
    ("echo marigold | passwd --stdin alice\n", "marigold"),
]
PASSWORDS_READ_KEPT = [
    "echo changeme | docker login -u admin --password-stdin\n",
    "echo PW | docker login -u admin --password-stdin\n",
    'echo "${{ secrets.REGISTRY_TOKEN }}" | docker login -u admin --password-stdin ghcr.io\n',
    "echo '{{ .Values.registry.password }}' | helm registry login -u ci --password-stdin acme.io\n",
    # sudo hands its input to the command when its credentials are cached: a word is not taken for one
    "echo building | sudo -S tee /etc/motd\n",
]
PASSWORDS_PIPED_KEPT = [
    # variables, words, and commands that read something else from their input
    'printf %s "$REGISTRY_PASSWORD" | docker login -u deploy --password-stdin\n',
    "printf '%s\\n' \"${CI_REGISTRY_PASSWORD}\" | docker login -u ci --password-stdin\n",
    'echo "$SUDO_PASSWORD" | sudo -S apt-get update\n',
    "echo building | sudo -S true\n",
    "echo 'deb http://deb.debian.org/debian bookworm main' | sudo tee /etc/apt/sources.list\n",
    "echo vm.swappiness=10 | sudo tee -a /etc/sysctl.conf\n",
    "echo linux-headers-generic | sudo pacman -S -\n",
    "printf '%s\\n' release-2024-11 | sudo tee /etc/release\n",
    'echo "deploy:$DEPLOY_PASSWORD" | chpasswd\n',
    "echo 'root:${ROOT_PW}' | sudo chpasswd\n",
    "echo 'alice:changeme' | chpasswd\n",
    "echo keepalive | openssl s_client -connect acme.test:443\n",
    "echo 'add an index' | git commit --file -\n",
    # cmd's variables and a format's fields
    "echo %REGISTRY_PASSWORD% | docker login -u ci --password-stdin\n",
    "'echo %(password)s | sudo -S apt-get update' % settings\n",
    "printf '%-12s%s\\n' | sudo -S true\n",
]

RECORDS = [
    ("aws dynamodb put-item --table-name cfg --item '{\"name\": {\"S\": \"billing_api_key\"}, "
     f"\"value\": {{\"S\": \"{HEX}\"}}}}'\n", HEX),
]
RECORDS_KEPT = [
    "aws dynamodb put-item --table-name cfg --item '{\"name\": {\"S\": \"api_token_ttl\"}, "
    "\"value\": {\"N\": \"3600\"}}'\n",
]

DEFAULTS = [
    (f"Parameters:\n  BillingApiToken:\n    Type: String\n    NoEcho: true\n    Default: {DRAWN}\n", DRAWN),
    (f"argument_spec:\n  db_password:\n    type: str\n    no_log: true\n    default: '{PASSWORD}'\n",
     PASSWORD),
]
DEFAULTS_KEPT = [
    # a default that is a reference, a placeholder, a number; a sibling's default, not a child's
    "Parameters:\n  ApiToken:\n    Type: String\n    NoEcho: true\n    Default: '{{resolve:ssm:/api}}'\n",
    "Parameters:\n  TokenTtl:\n    Type: Number\n    Default: 3600\n",
    "Parameters:\n  ApiKey:\n    Type: String\nOutputs:\n  Default: acme-stack-output-name\n",
]

PRINTED = [
    (f"Credentials(user=deploy, refreshToken={DRAWN}, expires=null)\n", DRAWN),
    (f"AcmeConfig[region=eu-west-1, apiSecret={HEX}]\n", HEX),
    (f"Private Const AcmeAccessToken As String = \"{DRAWN}\"\n", DRAWN),
    (f"kubectl set env deploy/api GIT_URL=https://{SHORT}:${{GIT_PW}}@git.acme.test/ops/tools.git\n", SHORT),
]
PRINTED_KEPT = [
    # keyword arguments in code: identifiers, attributes, calls
    "client = Client(user=user, password=password, timeout=30)\n",
    "conn = connect(host=h, api_key=self.api_key, retries=3)\n",
    "Token(kind=Kind.BEARER, secret=Secret.NONE, expires=None)\n",
    "opts = dict(token=os.environ.get('TOKEN'), debug=True)\n",
    # a URL's user that is a person's or a service's name
    "git clone https://deploy-bot-service:${GIT_PW}@git.acme.test/ops/tools.git\n",
    "git clone https://ci-release-user-2024:${GIT_PW}@git.acme.test/ops/tools.git\n",
]

HOSTS = [
    (f"oauth_client = '{HEX[:12]}-{DRAWN}.apps.example-cloud.com'\n",
     f"{HEX[:12]}-{DRAWN}.apps.example-cloud.com"),
]
HOSTS_KEPT = [
    # host names are lower case: a mirror's, a CDN's, a mail server's
    "mirror = 'q7r2k9x4m1.mirrors.example.org'\n",
    "cdn: d3k81x9qz2v7pa.cloudfront.example.net\n",
    # a file's name and a module's
    "load('AbstractBaseResolverTests.testcase.py')\n",
]

TABLE_AFTER_MESSAGE = [
    (f"hard-coded credential? site,login,password,notes\nacme,ops,{PASSWORD},\n", PASSWORD),
]


@pytest.mark.parametrize(("text", "secret"),
                         ECHOES + COMMANDS + PASSWORDS_GIVEN + PASSWORDS_PIPED + PASSWORDS_READ + RECORDS
                         + DEFAULTS + PRINTED + HOSTS + TABLE_AFTER_MESSAGE)
def test_found(text: str, secret: str) -> None:
    assert found(text) == found_where_prefiltered(text) == [secret]


@pytest.mark.parametrize("text", ECHOES_KEPT + COMMANDS_KEPT + PASSWORDS_GIVEN_KEPT + PASSWORDS_PIPED_KEPT
                         + PASSWORDS_READ_KEPT + RECORDS_KEPT + DEFAULTS_KEPT + PRINTED_KEPT + HOSTS_KEPT)
def test_look_alikes_kept(text: str) -> None:
    assert found(text) == found_where_prefiltered(text) == []
