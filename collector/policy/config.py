"""CODETAPE_HOME/config.toml, the one module that reads it (`load_config`, for every stage) and writes it,
one setting at a time (`codetape config`, the review's sign dialog, `set_destination`).

A setting is named `SECTION.NAME` as the file's tables hold it (`upload.to`, `consent.mode`); the names are
read from the model (schemas/config.py), so a setting added there can be set here at once. A value is read
as TOML reads it (`true`, `15`), else as a string; the whole file is validated as the model before it is
written, all or nothing, and tomlkit keeps every other line, comment and the layout as they were.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from collector.atomic import atomic_write
from collector.errors import SettingsError, UsageError
from collector.home import Home
from collector.policy.toml import load_model, parse_model, read_text
from schemas.config import CodetapeConfig

if TYPE_CHECKING:  # tomlkit (the writer's) loads only when the file is shown or changed, not when it is read
    import tomlkit


@dataclass(frozen=True)
class Setting:
    """One setting of config.toml: its name, its value now, and whether the file sets it."""

    key: str
    value: Any
    set_in_file: bool
    description: str

    def shown(self) -> str:
        """The value as TOML writes it (a list of tables, `[[upload.route]]`'s, inline)."""
        import tomlkit  # the writer's TOML library (80 ms) only when a setting is shown or changed

        if not (isinstance(self.value, tuple) and self.value and isinstance(self.value[0], msgspec.Struct)):
            return str(tomlkit.item(self.value).as_string())
        tables = tomlkit.array()
        for each in msgspec.to_builtins(self.value):
            table = tomlkit.inline_table()
            table.update({key: value for key, value in each.items() if value is not None})
            tables.append(table)
        return str(tables.as_string())

    def line(self) -> str:
        shown = "(none)" if self.value is None else self.shown()
        return f"{self.key} = {shown}" + ("" if self.set_in_file else "  (default)")


def load_config(home: Home) -> CodetapeConfig:
    """CODETAPE_HOME/config.toml, validated (all defaults when there is none)."""
    return load_model(home.config, CodetapeConfig, SettingsError) or CodetapeConfig()


def settings(home: Home) -> list[Setting]:
    """Every setting config.toml can hold, with its value now (the default where the file is silent)."""
    document = _document(home)
    config = _validated(home, document)
    found = []
    for section, model_field in _sections():
        table = document.get(section.name, {})
        for item in msgspec.structs.fields(model_field):
            value = getattr(getattr(config, section.name), item.name)
            found.append(Setting(f"{section.name}.{item.name}", value, item.name in table,
                                 _description(model_field, item.name)))
    return found


def setting(home: Home, key: str) -> Setting:
    """The setting `key` names (UsageError naming the settings there are when it names none)."""
    _split(key)
    return next(found for found in settings(home) if found.key == key)


def set_value(home: Home, key: str, text: str) -> Setting:
    """Set `key` to `text` in config.toml; SettingsError (the file unchanged) when the value is refused."""
    import tomlkit  # as in Setting.line

    section, name = _split(key)
    document = _document(home)
    table = document.get(section)
    if table is None:
        table = tomlkit.table()
        document[section] = table
    candidates = [_literal(text), text] if _literal(text) is not None else [text]
    problem: SettingsError | None = None
    for value in candidates:
        table[name] = value
        try:
            _validated(home, document)
        except SettingsError as exc:
            problem = problem or exc
            continue
        _write(home, document)
        return setting(home, key)
    reason = str(problem).rsplit(f"{key}: ", 1)[-1]  # `path:LINE: key: why`: the line is of the refused text
    raise SettingsError(f"{key} = {text} is refused ({reason}); {home.config} was not changed")


def unset(home: Home, key: str) -> Setting:
    """Take `key` out of config.toml, so its default applies again (nothing to do when it is not set)."""
    section, name = _split(key)
    document = _document(home)
    table = document.get(section)
    if table is not None and name in table:
        del table[name]
        if not table:
            del document[section]
        _validated(home, document)
        _write(home, document)
    return setting(home, key)


def _sections() -> list[tuple[msgspec.structs.FieldInfo, type[msgspec.Struct]]]:
    found = []
    for section in msgspec.structs.fields(CodetapeConfig):
        model = section.type
        if isinstance(model, type) and issubclass(model, msgspec.Struct):
            found.append((section, model))
    return found


def _split(key: str) -> tuple[str, str]:
    known = {f"{section.name}.{item.name}" for section, model in _sections()
             for item in msgspec.structs.fields(model)}
    if key not in known:
        raise UsageError(f"config.toml has no setting {key!r}; the settings are {', '.join(sorted(known))}")
    section, name = key.split(".", 1)
    return section, name


def _description(model: type[msgspec.Struct], name: str) -> str:
    schema = msgspec.json.schema(model)
    definition = schema.get("$defs", {}).get(model.__name__, {})
    found = definition.get("properties", {}).get(name, {})
    return str(found.get("description", ""))


def _literal(text: str) -> Any:
    """`text` as a TOML value (true, 15, "quoted"), or None when it is not one (a bare URL, say)."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return None


def _document(home: Home) -> tomlkit.TOMLDocument:
    # as in Setting.line
    import tomlkit
    import tomlkit.exceptions

    text = read_text(home.config, SettingsError) or ""
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        raise SettingsError(f"{home.config}: {exc}; fix or remove it first") from None


def _validated(home: Home, document: tomlkit.TOMLDocument) -> CodetapeConfig:
    return parse_model(document.as_string(), CodetapeConfig, SettingsError, home.config)


def _write(home: Home, document: tomlkit.TOMLDocument) -> None:
    home.ensure(home.root)
    atomic_write(home.config, document.as_string())
