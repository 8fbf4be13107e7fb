"""One fact, one home (issues 77 and 100): config.toml is parsed by collector/policy/config.py alone, and
the consent mode, its timing and the upload delay are read from it through collector/consent/mode.py alone
(the managed policy's own `[consent] mode`, a requirement of the organisation's, is another fact).

Checked by what the code does, not by how it names things: an `ast` walk follows, within each function
(and into the functions it defines), a value through the local names it is bound to. What `load_config`
returns, or a parameter annotated `CodetapeConfig`, is the configuration; its `.consent`, or a parameter
annotated `ConsentSettings`, the consent settings; reading `mode`, `timing` or `upload_delay_max_s` of
those is a read of the fact. The home's config file is any `.config` attribute (`Home.config`) or the
name `config.toml`, and anything made from it (its text, an open file); handing it to tomllib, tomlkit,
msgspec's TOML decoder or codetape's TOML loader (collector/policy/toml.py), or decoding into
`CodetapeConfig` (msgspec's decoders and `convert`, codetape's `load_model`, `parse_model`), parses it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from textwrap import dedent

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("collector", "lsp_bridge")
CONFIG_HOME = "collector/policy/config.py"
MODE_HOME = "collector/consent/mode.py"
TOML_READERS = {"tomllib", "tomlkit", "msgspec.toml", "collector.policy.toml"}
# a module, or the name of what turns data into a model
DECODERS = TOML_READERS | {"msgspec", "msgspec.json", "msgspec.yaml", "msgspec.msgpack", "decode", "convert",
                           "load_model", "parse_model"}
SOURCES = ("load_config", "CodetapeConfig", "ConsentSettings", "toml")  # what a read starts from
CONSENT_FACTS = {"mode", "timing", "upload_delay_max_s"}
CONFIG, CONSENT, CONFIG_FILE = "config", "consent", "config file"
NESTED = ("body", "orelse", "finalbody", "handlers", "cases")  # a statement's fields holding statements
Facts = frozenset[str]
NONE: Facts = frozenset()


@dataclass
class Reads:
    """What one module does with the two facts: `path:line: what` of each read."""

    where: str
    modules: dict[str, str]  # a local name -> the module (or module.name) it was imported as
    consent: list[str] = field(default_factory=list)
    parses: list[str] = field(default_factory=list)
    memo: dict[int, Facts] = field(default_factory=dict)  # each node's facts, for the names as they are now

    def origin(self, callee: ast.expr) -> str | None:
        """The dotted name a call's callee resolves to through the module's imports, if it is imported."""
        if isinstance(callee, ast.Name):
            return self.modules.get(callee.id)
        if isinstance(callee, ast.Attribute):
            base = self.origin(callee.value)
            return None if base is None else f"{base}.{callee.attr}"
        return None

    def facts(self, node: ast.expr, names: dict[str, Facts]) -> Facts:
        """What the value of `node` is, given what each local name holds."""
        if id(node) not in self.memo:
            self.memo[id(node)] = self._facts(node, names)
        return self.memo[id(node)]

    def _facts(self, node: ast.expr, names: dict[str, Facts]) -> Facts:
        if isinstance(node, ast.Name):
            return names.get(node.id, NONE)
        if isinstance(node, ast.NamedExpr | ast.Await):
            return self.facts(node.value, names)
        if isinstance(node, ast.IfExp):
            return self.facts(node.body, names) | self.facts(node.orelse, names)
        if isinstance(node, ast.BoolOp):
            return frozenset().union(*(self.facts(value, names) for value in node.values))
        found: set[str] = set()
        if isinstance(node, ast.Attribute):
            held = self.facts(node.value, names)
            if node.attr == "consent" and CONFIG in held:
                found.add(CONSENT)
            if node.attr == "config" or CONFIG_FILE in held:
                found.add(CONFIG_FILE)
            if _dotted(node) in names:
                found |= names[_dotted(node)]
            return frozenset(found)
        if isinstance(node, ast.Call) and _called(node.func) == "load_config":
            found.add(CONFIG)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "config.toml" in node.value \
                and "\n" not in node.value:
            found.add(CONFIG_FILE)
        # the config file's path, text or handle stays the config file in whatever is made of it
        if any(CONFIG_FILE in self.facts(child, names) for child in ast.iter_child_nodes(node)
               if isinstance(child, ast.expr)):
            found.add(CONFIG_FILE)
        if isinstance(node, ast.JoinedStr | ast.FormattedValue):
            found.discard(CONFIG_FILE)  # a message naming the file is not its content
        return frozenset(found)

    def scope(self, body: list[ast.stmt], args: ast.arguments | None, outer: dict[str, Facts]) -> None:
        """Walk one function's (or the module's) body with what its enclosing scope's names hold."""
        names = dict(outer)
        for arg in [] if args is None else [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            held = _annotated(arg.annotation)
            names[arg.arg] = held if held else NONE
        statements = list(_own(body))
        bindings = [(list(_targets(target)), value) for statement in statements
                    for target, value in _bindings(statement)]
        for _ in range(8):  # bindings in any order: until nothing new is learnt (a chain of 8 names at most)
            before = dict(names)
            self.memo.clear()
            for targets, value in bindings:
                held = self.facts(value, names)
                for name in targets:
                    names[name] = names.get(name, NONE) | held
            if names == before:
                break
        self.memo.clear()
        for statement in statements:
            for node in _expressions(statement):
                if isinstance(node, ast.expr):
                    self.check(node, names)
        for statement in statements:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                self.scope(statement.body, statement.args, names)
            elif isinstance(statement, ast.ClassDef):
                self.scope(statement.body, None, names)

    def check(self, node: ast.expr, names: dict[str, Facts]) -> None:
        if isinstance(node, ast.Attribute) and node.attr in CONSENT_FACTS \
                and CONSENT in self.facts(node.value, names):
            self.consent.append(self.line(node))
        if not isinstance(node, ast.Call):
            return
        named = node.args[1].value if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) else None
        if _called(node.func) == "getattr" and named in CONSENT_FACTS \
                and CONSENT in self.facts(node.args[0], names):
            self.consent.append(self.line(node))
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        module = (self.origin(node.func) or "").rpartition(".")[0]
        reads_the_file = module in TOML_READERS and any(CONFIG_FILE in self.facts(argument, names)
                                                        for argument in arguments)
        decodes_the_model = (module in DECODERS or _called(node.func) in DECODERS) \
            and any(_called(argument) == "CodetapeConfig" for argument in arguments)
        if reads_the_file or decodes_the_model:
            self.parses.append(self.line(node))

    def line(self, node: ast.expr) -> str:
        return f"{self.where}:{node.lineno}: {ast.unparse(node)[:100]}"


def _called(node: ast.expr) -> str | None:
    """The last name of a callee or a referenced name (`load_config` of `config.load_config`)."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _dotted(node: ast.expr) -> str:
    """`self.settings` for an attribute of a name, "" for anything else."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return ""


def _annotated(annotation: ast.expr | None) -> Facts:
    text = "" if annotation is None else ast.unparse(annotation)
    return frozenset({CONFIG} if "CodetapeConfig" in text else {CONSENT} if "ConsentSettings" in text else ())


def _own(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of one scope, those nested in its blocks too, not those of a function it defines."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in NESTED:
            for child in getattr(statement, name, []):
                nested = isinstance(child, ast.excepthandler | ast.match_case)
                yield from _own(child.body if nested else [child])


def _expressions(statement: ast.stmt) -> Iterator[ast.AST]:
    """Every node of one statement's own expressions (not of the statements nested in it, nor of a
    function or class it defines but its decorators)."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        fields: list[object] = list(statement.decorator_list)
    else:
        fields = [value for name, value in ast.iter_fields(statement) if name not in NESTED]
    for value in fields:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ast.expr):
                yield from ast.walk(item)
            elif isinstance(item, ast.withitem):
                yield from ast.walk(item.context_expr)


def _bindings(statement: ast.stmt) -> Iterator[tuple[ast.expr, ast.expr]]:
    """(target, value) of each name the statement binds: `=`, `:=`, `+=`, `with ... as`, `for ... in`."""
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            yield target, statement.value
    elif isinstance(statement, ast.AnnAssign | ast.AugAssign) and statement.value is not None:
        yield statement.target, statement.value
    elif isinstance(statement, ast.With | ast.AsyncWith):
        for item in statement.items:
            if item.optional_vars is not None:
                yield item.optional_vars, item.context_expr
    elif isinstance(statement, ast.For | ast.AsyncFor):
        yield statement.target, statement.iter
    for node in _expressions(statement):
        if isinstance(node, ast.NamedExpr):
            yield node.target, node.value
        elif isinstance(node, ast.comprehension):
            yield node.target, node.iter


def _targets(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Attribute) and _dotted(target):
        yield _dotted(target)
    elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
        for element in target.elts if isinstance(target, ast.Tuple | ast.List) else [target.value]:
            yield from _targets(element)


def _imports(tree: ast.Module) -> dict[str, str]:
    modules = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname \
                    else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            for alias in node.names:
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return modules


def reads(source: str, where: str) -> Reads:
    """What the module `source` (at `where`) does with the consent settings and the config file."""
    tree = ast.parse(source)
    found = Reads(where, _imports(tree))
    found.scope(tree.body, None, {})
    return found


@cache
def everywhere() -> tuple[Reads, ...]:
    """Every module of codetape's code that could read either fact, walked once for all the tests: a
    module holding none of the walk's sources (`load_config`, the two models) nor a TOML reader reads
    neither, so it is not parsed."""
    texts = {path: path.read_text(encoding="utf-8") for package in PACKAGES
             for path in sorted((ROOT / package).rglob("*.py"))}
    return tuple(reads(text, path.relative_to(ROOT).as_posix()) for path, text in texts.items()
                 if any(source in text for source in SOURCES))


def test_only_the_config_module_parses_config_toml() -> None:
    found = [line for module in everywhere() if module.where != CONFIG_HOME for line in module.parses]
    assert not found, "config.toml is read through collector.policy.config.load_config:\n" + "\n".join(found)


def test_only_the_mode_module_reads_the_mode_and_the_delay() -> None:
    found = [line for module in everywhere() if module.where != MODE_HOME for line in module.consent]
    assert not found, ("the consent mode and the upload delay are read through collector.consent.mode:\n"
                       + "\n".join(found))


def test_the_homes_themselves_are_seen_reading() -> None:
    """The walk finds the reads the homes do make, so an empty finding elsewhere means something."""
    home = {module.where: module for module in everywhere() if module.where in (CONFIG_HOME, MODE_HOME)}
    assert len(home[MODE_HOME].consent) >= 3, home[MODE_HOME].consent
    assert home[CONFIG_HOME].parses, "collector/policy/config.py's own reads of config.toml were not seen"


READS_OF_THE_MODE = {
    "a-local-name": """
        def f(home):
            cfg = load_config(home)
            return cfg.consent.mode
        """,
    "the-settings-named": """
        def f(home):
            s = load_config(home).consent
            if s.timing == 'exact':
                return 1
        """,
    "through-two-names": """
        def f(home):
            a = load_config(home)
            b = a
            c = b.consent
            return c.upload_delay_max_s
        """,
    "an-annotated-parameter": """
        def f(c: CodetapeConfig) -> int:
            return c.consent.upload_delay_max_s
        """,
    "the-consent-settings": """
        def f(c: schemas.config.ConsentSettings):
            return getattr(c, 'mode')
        """,
    "in-a-nested-function": """
        def f(home):
            cfg = config.load_config(home)
            def g():
                return cfg.consent.mode
            return g
        """,
    "a-walrus": """
        def f(home):
            if (c := load_config(home).consent).mode == 'unlinkable':
                return 1
        """,
    "an-attribute-of-self": """
        def f(self, home):
            self.c = load_config(home)
            return self.c.consent.mode
        """,
}
PARSES_OF_THE_CONFIG = {
    "tomllib-of-its-text": """
        import tomllib
        def f(home):
            return tomllib.loads(home.config.read_text())
        """,
    "through-an-open-file": """
        import tomllib
        def f(home):
            path = home.root / 'config.toml'
            with path.open('rb') as handle:
                return tomllib.load(handle)
        """,
    "tomlkit-aliased": """
        import tomlkit as tk
        def f(h):
            text = h.config.read_text()
            return tk.parse(text)
        """,
    "codetapes-own-loader": """
        from collector.policy.toml import load_model
        def f(home):
            return load_model(home.config, Other, Error)
        """,
    "decoded-into-the-model": """
        import msgspec
        def f(text):
            return msgspec.toml.decode(text, type=CodetapeConfig)
        """,
}
NOT_READS = {
    "the-managed-policys-mode": """
        def f(policy):
            return policy.consent.mode
        """,
    "another-setting": """
        def f(home):
            return load_config(home).consent.min_members
        """,
    "another-toml-file": """
        import tomllib
        def f(path):
            return tomllib.loads(path.read_text())
        """,
    "a-message-naming-it": """
        import tomllib
        def f(home, text):
            return tomllib.loads(text), f'in {home.config}'
        """,
    "a-shadowing-parameter": """
        def f(home):
            cfg = load_config(home)
            def g(cfg):
                return cfg.consent.mode
            return g
        """,
}


def walked(name: str, source: str) -> Reads:
    return reads(dedent(source), name)


def test_every_form_of_a_read_is_caught() -> None:
    missed = [name for name, source in READS_OF_THE_MODE.items() if len(walked(name, source).consent) != 1]
    missed += [name for name, source in PARSES_OF_THE_CONFIG.items() if len(walked(name, source).parses) != 1]
    assert not missed, f"reads the one-home walk does not see: {missed}"


def test_what_is_not_a_read_of_the_fact_is_not_caught() -> None:
    wrong = {name: [*found.consent, *found.parses] for name, source in NOT_READS.items()
             if (found := walked(name, source)).consent or found.parses}
    assert not wrong, wrong
