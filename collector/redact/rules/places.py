"""Where a URL carries a credential by its place in it, on any host, in any language's string or log line.

An API that takes its key in the URL puts it in one of two places, whatever the vendor:

    query parameter   `?apikey=...`, `&access_token=...`, `;key=...`, ended by `&`, `#`, a quote, a bracket
                      or white space (a Markdown link's `)`, an HTML attribute's `"`, a log's `]`), and
                      the same `name=value&...` as a form body in a string (`data='api_key=...&q=x'`).
                      The name is read with `keywords.py` and its value asked that name's test; a name
                      that says an application's or a client's id (`appid`, `client_id`) is how some APIs
                      name their key, so it counts with a machine-made value only.
    path segment      a machine-made segment of the path of a URL to an API (`/v2/<key>/latest`; the host or
                      a segment before says API or a version): letters and digits that switch as only a
                      generator writes them. Left alone: pages' paths (a document's id in a shared link),
                      hexadecimal digests and UUIDs (commits, content hashes, object ids), words and
                      numbers joined by `-` or `_` (slugs, versions), and segments with a `.` (file
                      names, fingerprinted assets). A random token of hexadecimal digits alone is not told
                      from a digest, so it is left too.

A secret on a command line: handed to a tool that takes a password there, or to a command that stores it.

Tools that take a password as an argument, whatever it looks like (a password set for a service may be
short or a word with digits; only variables, templates and placeholder words are left):

- `mysql -pPASS` (and mysqldump, mysqladmin, mariadb), `sshpass -p PASS`, `docker login -p PASS` (and
  podman, helm, oras, buildah, skopeo, az, oc, cf, nerdctl), `redis-cli -a PASS` / `--pass PASS`;
- `htpasswd -b FILE USER PASS` (`-bc`, `-bB`, ...; `-nb USER PASS` without a file): the last argument,
  when the flags hold `b` and the arguments before it are as many as the flags ask.

Commands that keep a secret take its name in one argument and its value in another: `gh secret set
API_TOKEN --body "..."`, `az keyvault secret set --name api-token --value "..."`, `aws ssm put-parameter
--name /prod/api-token --value '...'`, `vault kv put secret/app api_token=...` (the `NAME=value` rules'),
or read the value from their input: `printf '...' | docker secret create api-token -`, `echo '...' |
gcloud secrets versions add api-key --data-file=-`, `echo '...' | docker login --password-stdin`.

- A value flag (`--value`, `--body`, `--secret-string`, `--secret-value`) after a word of the same command
  line named like a secret (`keywords.py`; a path's last segment, `/prod/app/api-token`): the value is
  asked that name's test (`keywords.named`).
- A literal written into a pipe whose command stores a secret (it says `secret` or `secrets`, or reads a
  token from its input: `--with-token`, `--token-stdin`) or reads a password from its input (a registry
  login's `--password-stdin`: docker, podman, helm, oras, skopeo, buildah, nerdctl, crane, finch;
  regctl's `--pass-stdin`; `sudo -S`/`--stdin` among sudo's options; `passwd --stdin`; `htpasswd -i`;
  gpg's `--passphrase-fd 0`; openssl's `-pass stdin`): by `echo` or `printf` (quoted or not, after a
  format `%s`, `'%s
'`, `--`), by `cat <<< ...`, by a here-document (`cat <<EOF | sudo -S ...`, the
  value on the next line), or given to that command as a here-string (`sudo -S ... <<< ...`). A command
  whose input's first line is nothing but a password (all of those but sudo, wherever among its options
  it says so) is given a password as `-p PASS` is: whatever it looks like, 3 characters or more (a plain
  word, `echo correcthorse | docker login -u admin --password-stdin`). `sudo -S`, which hands its input to
  the command when it asks no password, or a command that names a password (`db-password`), asks the
  password test or the token test (a registry's token may be long); any other the token test. Variables
  (`"$TOKEN"`), templates and placeholder words (`changeme`) are not values.
- `echo 'USER:PASS' | chpasswd` (through `sudo` or not): PASS, as a password given to a tool.
"""

from __future__ import annotations

import re
from itertools import pairwise

from collector.redact.rules import keywords
from collector.redact.rules.keywords import named, value
from collector.redact.rules.rule import Rule, compile_verbose
from collector.redact.rules.values import (
    HEX,
    RANDOM_LETTERS,
    gibberish,
    is_placeholder,
    machine_made,
    password_like,
    token_like,
)

_K = keywords.SECRET_WORD  # a secret word in a name

_K_ID = "(?i:" + "|".join((*keywords.SECRET_WORDS, "id")) + ")"
# the last words of a parameter that names an application's or a client's key as its id
_KEY_IDS = frozenset({("app", "id"), ("appid",), ("client", "id"), ("clientid",), ("api", "id"), ("apiid",)})
_ENDS = "&#\"'`<>()[]{},;|\\ \t\r\n"


def _query(match: re.Match[str]) -> bool:
    """A parameter of a query string (after `?`, `&` or `;`), or the first of a form body in a string (a
    quote before it, `&` after the value); named like a secret, or like a key's id with a machine-made
    value."""
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else ""
    if before not in "?&;" and not (before in "\"'`" and text.startswith("&", end)):
        return False
    parts = keywords.words(match.group("k"))
    if tuple(parts[-2:]) in _KEY_IDS or tuple(parts[-1:]) in _KEY_IDS:
        return machine_made(value(match))
    return named()(match)


_API_MARK = re.compile(r"(?i:api|rest|rpc|graphql|v\d{1,2}(?:\.\d{1,2})?)")


def _api_path(text: str, start: int) -> bool:
    """`start` is in the path of a URL to an API, after `scheme://host/` on its line with nothing between
    that a URL cannot hold: the host or a path segment before `start` says API (`api.example.com`,
    `rates-api.example`, `/api/`, `/rpc/`, a version `/v2/`). A page's path holds document and file ids
    (`/document/d/<id>`), which are shared as links, not sent as keys."""
    line = text.rfind("\n", 0, start) + 1
    scheme = text.rfind("://", line, start)
    if scheme < 0:
        return False
    between = text[scheme + 3:start]
    if "/" not in between or any(ch in _ENDS for ch in between):
        return False
    host, _, path = between.partition("/")
    return any(_API_MARK.fullmatch(word) for word in re.split(r"[.\-]", host.split(":")[0])) \
        or any(_API_MARK.fullmatch(segment) for segment in path.split("/"))


def _word_part(part: str) -> bool:
    """A part of a slug: a word (not random letters), a number, hexadecimal digits, or a short word with a
    number in it (`v2`, `oauth2`, `rfc6265bis`, `x86`)."""
    if HEX.issuperset(part) or part.isdigit():
        return True
    if part.isalpha():
        return not (len(part) >= RANDOM_LETTERS and gibberish(part))
    switches = sum(a.isdigit() != b.isdigit() for a, b in pairwise(part))
    return len(part) <= 12 and switches <= 2 and (part.islower() or part.isupper())


def _slug(segment: str) -> bool:
    """Words, numbers and hexadecimal ids joined by `-` or `_`: a slug (`norm-inv-function-54b30935-...`), a
    UUID, a digest, a version; a random token has parts that mix cases or letters past `f` with digits."""
    return all(_word_part(part) for part in re.split(r"[-_~]+", segment) if part)


def _segment(match: re.Match[str]) -> bool:
    """A machine-made path segment that is no slug, digest or UUID, in the path of a URL to an API."""
    found = value(match)
    if _slug(found) or not machine_made(found):
        return False
    return _api_path(match.string, match.start())


URLS: tuple[Rule, ...] = (
    Rule("url-query-secret", compile_verbose(r"""(?P<k>[A-Za-z_][\w.\-]{0,60}(?:\[\])?)=
         (?P<v>[^\s&#"'`<>()\[\]{},;|\\]{8,512})(?=[&#"'`<>()\[\]{},;|\\\s]|$)"""),
         (*keywords.SECRET_WORDS, "id="), fold=True, priority=3, token=True, check=_query,
         prefilter=r"[?&;\"'`][A-Za-z_][\w.\-]*" + _K_ID
         + r"[\w.\-]*(?:\[\])?=[^\s&#\"'`<>()\[\]{},;|\\]{8}"),
    Rule("url-path-token", compile_verbose(r"""(?<=/)(?P<v>[A-Za-z0-9_\-~]{20,256})
         (?=[/?#"'`<>()\[\]{},;|\\\s]|$)"""),
         ("://",), priority=3, token=True, check=_segment,
         prefilter=r"://[^\s\"'`<>]*/[A-Za-z0-9_\-~]{20}"),
)


# -- A secret on a command line: handed to a tool that takes a password there, or to a command that stores it.

_VALUE_FLAG = r"--(?:value|body|secret-string|secret-value)"
# a command whose input's first line is a password and nothing else, wherever among its options it says so
_PASSWORD_INPUT = r"""(?:--password-stdin|--pass-stdin
    |passwd[ \t](?:[^\n|;&]*?[ \t])?--stdin|htpasswd(?:[ \t]+-[A-Za-z]+)*?[ \t]+-[A-Za-z]*i[A-Za-z]*
    |--passphrase-fd(?:=|[ \t]+)0|-pass(?:in)?[ \t]+(?:stdin|fd:0))"""
_PASSWORD_INPUT_RE = re.compile(r"(?<![\w\-])" + _PASSWORD_INPUT + r"(?![\w\-])", re.VERBOSE)
# ... or one that reads a password from it when it asks for one: `sudo -S` (its options before `-S` may
# take an argument); with its credentials cached, sudo hands its input to the command
_READS_PASSWORD = r"""(?<![\w\-])(?:""" + _PASSWORD_INPUT + r"""
    |sudo(?:[ \t]+(?:-[A-Za-z]*[ugCDhprtTU][ \t]+[^\s\-|;&]\S*|-[A-Za-z]+|--[a-z][\w\-]*(?:=\S*)?))*?
     [ \t]+(?:-[A-Za-z]*S[A-Za-z]*|--stdin))(?![\w\-])"""
_READS_PASSWORD_RE = re.compile(_READS_PASSWORD, re.VERBOSE)
_SINK = r"(?:(?<![\w\-])(?:secrets?|--with-token|--token-stdin)(?![\w\-])|" + _READS_PASSWORD + ")"
_STDIN = r"(?:(?<![\w\-])(?:--with-token|--token-stdin)(?![\w\-])|" + _READS_PASSWORD + ")"
# the engine's pattern for a word of such a command (a superset: the rules' own regexes decide)
_SINK_WORDS = r"(?:secret|-stdin|--with-token|sudo|passwd|-pass)"
# echo's flags, or printf's `--` and a format that prints its argument as it is
_FEED = r"""(?:echo(?:[ \t]+-[neE]{1,3})*
    |printf(?:[ \t]+--)?(?:[ \t]+(?P<f>["']?)%s(?:\\{1,2}n)?(?P=f)(?![^\s|;&]))?)[ \t]+"""
# a literal as the shell reads it: quoted (`'...'`, `"..."`), or a bare word with nothing the shell expands
_LITERAL = (r"""(?:(?P<q>["'])(?P<v>[^"'\n\\]{3,1024})(?P=q)"""
            r"""|(?P<v2>[^\s"'`$;&|()<>\\]{3,1024})(?![^\s;&|)]))""")
# an argument: quoted (anything but a line break), or a bare word not taken for an option
_ARGUMENT = r"""(?:(?P<q>["'])(?P<v>[^"'\n]{3,511})(?P=q)|(?P<v2>[^\s"'`|;&<>\-][^\s"'`|;&<>]{2,511}))"""
_NAME_WORD = re.compile(r"[A-Za-z_][\w.\-]*")
_FIELD = re.compile(r"%(?:\w+%|[({])")  # cmd's `%NAME%`, a format's `%(name)s` or `%{name}`: no literal
_TAKES_VALUE = frozenset({"-C", "-r"})  # htpasswd's options with an argument (bcrypt cost, rounds)


def _given(match: re.Match[str]) -> bool:
    """A password given where a tool takes one: anything but a variable, a template or a placeholder."""
    found = value(match)
    return not found.startswith(("$", "%")) and not is_placeholder(found)


def _piped(match: re.Match[str]) -> bool:
    """A literal fed to a command that stores a secret (group `s`): when that command reads a password
    (`--password-stdin`, `sudo -S`) or a word of it names one (`db-password`), the password test or the
    token test (a registry's token may be longer than a password); else the token test."""
    found = value(match)
    if found.startswith("$") or _FIELD.match(found):
        return False
    if found.startswith("%") and match[0].startswith("printf"):
        return False  # printf's format
    quoted = bool(match.group("q"))
    sink = match.group("s")
    if _PASSWORD_INPUT_RE.search(sink):
        return not is_placeholder(found)  # the password, whatever it looks like, as `-p PASS` gives it
    levels = {keywords.strength(word) for word in _NAME_WORD.findall(sink)}
    if "password" in levels or _READS_PASSWORD_RE.search(sink):
        return password_like(found, quoted=quoted) or token_like(found, quoted=quoted)
    return token_like(found, quoted=quoted)


def _htpasswd(match: re.Match[str]) -> bool:
    """`htpasswd` with `-b` in its flags: the last argument is the password when the arguments before it
    are a file and a user (the user alone with `-n`)."""
    args = match.group("a").split()
    letters, positional, skip = "", 0, False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-") and len(arg) > 1:
            letters += arg[1:]
            skip = arg in _TAKES_VALUE
        else:
            positional += 1
    if "b" not in letters or not letters.isalpha():
        return False
    return positional == (1 if "n" in letters else 2) and _given(match)


COMMANDS: tuple[Rule, ...] = (
    # -- a password as a tool's argument -------------------------------------------------------------------
    Rule("cli-password", compile_verbose(r"""(?<![\w\-])(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b
         [^\n|;&]*?[ \t]-p(?P<q>["']?)(?P<v>[^\s"'`\-][^\s"'`]{2,255})(?P=q)"""),
         ("mysql", "mariadb"), priority=2, check=lambda m: password_like(value(m))),
    Rule("cli-password", compile_verbose(r"""(?<![\w\-])(?:sshpass[ \t]+-p
         |(?:docker|podman|helm|oras|buildah|skopeo|az|oc|cf|nerdctl)[ \t]+(?:registry[ \t]+)?login\b
         [^\n|;&]*?[ \t]-p)[ \t]*(?P<q>["']?)
         (?P<v>[^\s"'`\-][^\s"'`]{2,511})(?P=q)"""),
         ("sshpass", "login"), priority=2, check=_given),
    Rule("cli-password", compile_verbose(r"""(?<![\w\-])redis-cli\b[^\n|;&]*?[ \t](?:-a|--pass)(?:=|[ \t]+)
         """ + _ARGUMENT), ("redis-cli",), priority=2, check=_given),
    Rule("cli-password", compile_verbose(r"""(?<![\w\-])htpasswd(?P<a>(?:[ \t]+[^\s"'`|;&<>]{1,256}){2,8}?)
         [ \t]+""" + _ARGUMENT + r"""(?=[ \t]*(?:[|;&)<>\r\n]|$))"""),
         ("htpasswd",), priority=2, check=_htpasswd),
    # -- a secret handed to a command that stores it -------------------------------------------------------
    Rule("generic-secret", compile_verbose(
        r"""(?<![\w.\-])(?=[\w.\-]{0,80}""" + _K + r""")(?P<k>[A-Za-z_][\w.\-]{0,80})["']?[ \t]+
        (?:[^\n]{0,160}?[ \t])?""" + _VALUE_FLAG + r"""(?:=|[ \t]+)
        (?:(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n\\]){1,2048})(?P=q)|(?P<v2>[^\s"'`;&|()<>]{1,2048}))"""),
        ("--value", "--body", "--secret-string", "--secret-value"), priority=4, check=named(),
        prefilter=_K + r"[\w.\-]*[\"']?[ \t][^\n]*" + _VALUE_FLAG + r"[= \t]"),
    # ... written into its input by echo, printf or `cat <<<`
    Rule("generic-secret", compile_verbose(
        r"""(?<![\w\-])(?:""" + _FEED + r"""|cat[ \t]*<<<[ \t]*)""" + _LITERAL + r"""[ \t]*\|[ \t]*
        (?=(?P<s>[^\n|;&]{0,160}?""" + _SINK + r"""[^\n|;&]*))"""),
        ("echo", "printf", "cat"), priority=4, check=_piped,
        prefilter=r"(?:echo|printf|cat)[^\n|]*\|[^\n|;&]*" + _SINK_WORDS),
    # ... as a here-document, its one line the value
    Rule("generic-secret", compile_verbose(
        r"""(?<![\w\-])cat[ \t]*<<-?[ \t]*(?P<d>["']?)(?P<t>[A-Za-z_]\w{0,31})(?P=d)[ \t]*\|[ \t]*
        (?P<s>[^\n|;&]{0,160}?""" + _SINK + r"""[^\n|;&]*)\r?\n[ \t]*
        (?P<q>)(?P<v>[^\s"'`$]{3,1024})[ \t]*\r?\n[ \t]*(?P=t)(?![\w])"""),
        ("cat",), priority=4, lines=2, check=_piped,
        prefilter=r"cat[ \t]*<<[^\n|]*\|[^\n|;&]*" + _SINK_WORDS),
    # ... or as a here-string after it
    Rule("generic-secret", compile_verbose(
        r"""(?P<s>""" + _STDIN + r"""[^\n|;&]{0,160}?)<<<[ \t]*""" + _LITERAL),
        ("-stdin", "--with-token", "sudo", "passwd", "-pass"), priority=4, check=_piped,
        prefilter=_SINK_WORDS + r"[^\n|;&]*<<<"),
    # -- `echo 'USER:PASS' | chpasswd`: the password after the user's name ---------------------------------
    Rule("cli-password", compile_verbose(
        r"""(?<![\w\-])""" + _FEED + r"""(?P<q>["']?)[A-Za-z_][\w.\-]{0,31}:
        (?P<v>[^\s"'`$:\\][^\s"'`:\\]{2,255})(?P=q)
        [ \t]*\|[ \t]*(?:sudo(?:[ \t]+-[^\s|;&]+)*[ \t]+)?chpasswd(?![\w\-])"""),
        ("chpasswd",), priority=2, check=_given),
)
