"""A secret on a command line: handed to a tool that takes a password there, or to a command that stores it.

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
  asked that name's test (`named.py`).
- A literal written into a pipe whose command stores a secret (it says `secret` or `secrets`, or reads a
  password or a token from its input: `--password-stdin`, `--with-token`): by `echo`/`printf` (quoted or
  not), by `cat <<< ...`, by a here-document (`cat <<EOF | docker login --password-stdin`, the value on
  the next line), or given to that command as a here-string (`docker login --password-stdin <<< ...`).
  A password by the password test when the command names a password, else a token by the token test.
  Variables (`"$TOKEN"`) are not values.

Written from the kinds of line `bench/fresh_corpus/community` missed (that corpus is SPENT: its README),
and from issue 24's list of passwords a command line gave away.
"""

from __future__ import annotations

import re

from collector.redact import keywords
from collector.redact.named import named, value
from collector.redact.rule import Rule, compile_verbose
from collector.redact.values import is_placeholder, password_like, token_like

_K = "(?i:" + "|".join(keywords.SECRET_WORDS) + ")"
_VALUE_FLAG = r"--(?:value|body|secret-string|secret-value)"
_SINK = r"(?<![\w\-])(?:secrets?|--password-stdin|--with-token|--token-stdin)(?![\w\-])"
_STDIN = r"(?<![\w\-])(?:--password-stdin|--with-token|--token-stdin)(?![\w\-])"
# a literal as the shell reads it: quoted (`'...'`, `"..."`), or a bare word with nothing the shell expands
_LITERAL = (r"""(?:(?P<q>["'])(?P<v>[^"'\n\\]{6,1024})(?P=q)"""
            r"""|(?P<v2>[^\s"'`$;&|()<>\\]{6,1024})(?![^\s;&|)]))""")
# an argument: quoted (anything but a line break), or a bare word not taken for an option
_ARGUMENT = r"""(?:(?P<q>["'])(?P<v>[^"'\n]{3,511})(?P=q)|(?P<v2>[^\s"'`|;&<>\-][^\s"'`|;&<>]{2,511}))"""
_NAME_WORD = re.compile(r"[A-Za-z_][\w.\-]*")
_TAKES_VALUE = frozenset({"-C", "-r"})  # htpasswd's options with an argument (bcrypt cost, rounds)


def _given(match: re.Match[str]) -> bool:
    """A password given where a tool takes one: anything but a variable, a template or a placeholder."""
    found = value(match)
    return not found.startswith(("$", "%")) and not is_placeholder(found)


def _piped(match: re.Match[str]) -> bool:
    """A literal fed to a command that stores a secret (group `s`): the password test when a word of that
    command names a password (`db-password`, `--password-stdin`), else the token test."""
    found = value(match)
    if found.startswith(("$", "%")):
        return False
    quoted = bool(match.group("q"))
    levels = {keywords.strength(word) for word in _NAME_WORD.findall(match.group("s"))}
    if "password" in levels:
        return password_like(found, quoted=quoted)
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
        r"""(?<![\w\-])(?:(?:echo|printf)(?:[ \t]+-[neE]{1,3})*(?:[ \t]+(?P<f>["'])%s\\?n?(?P=f))?[ \t]+
        |cat[ \t]*<<<[ \t]*)""" + _LITERAL + r"""[ \t]*\|[ \t]*
        (?=(?P<s>[^\n|;&]{0,160}?""" + _SINK + r"""[^\n|;&]*))"""),
        ("echo", "printf", "cat"), priority=4, check=_piped,
        prefilter=r"(?:echo|printf|cat)[^\n|]*\|[^\n|;&]*(?:secret|-stdin|--with-token)"),
    # ... as a here-document, its one line the value
    Rule("generic-secret", compile_verbose(
        r"""(?<![\w\-])cat[ \t]*<<-?[ \t]*(?P<d>["']?)(?P<t>[A-Za-z_]\w{0,31})(?P=d)[ \t]*\|[ \t]*
        (?P<s>[^\n|;&]{0,160}?""" + _SINK + r"""[^\n|;&]*)\r?\n[ \t]*
        (?P<q>)(?P<v>[^\s"'`$]{6,1024})[ \t]*\r?\n[ \t]*(?P=t)(?![\w])"""),
        ("cat",), priority=4, lines=2, check=_piped,
        prefilter=r"cat[ \t]*<<[^\n|]*\|[^\n|;&]*(?:secret|-stdin|--with-token)"),
    # ... or as a here-string after it
    Rule("generic-secret", compile_verbose(
        r"""(?P<s>""" + _STDIN + r"""[^\n|;&]{0,160}?)<<<[ \t]*""" + _LITERAL),
        ("-stdin", "--with-token"), priority=4, check=_piped,
        prefilter=r"(?:-stdin|--with-token)[^\n|;&]*<<<"),
)
