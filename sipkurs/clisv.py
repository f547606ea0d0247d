"""Swedish for click's own words (usage, help headings, error messages).

click routes its user-facing strings through gettext; these translations are installed into its modules so that
``--help`` and every error read in Swedish. Unknown strings fall back to click's English.
"""

from __future__ import annotations

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

SV: dict[str, str] = {
    "Usage:": "Användning:",
    "Options": "Flaggor",
    "Commands": "Kommandon",
    "Positional arguments": "Argument",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Aborted!": "Avbrutet.",
    "Error: {message}": "fel: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' för hjälp.",
    "Invalid value for {param_hint}: {message}": "ogiltigt värde för {param_hint}: {message}",
    "Invalid value: {message}": "ogiltigt värde: {message}",
    "Missing argument": "Argument saknas",
    "Missing option": "Flagga saknas",
    "Missing parameter": "Värde saknas",
    "Missing parameter: {param_name}": "värde saknas: {param_name}",
    "Missing {param_type}": "{param_type} saknas",
    "Missing command.": "Kommando saknas.",
    "No such command {name!r}.": "okänt kommando {name!r}.",
    "No such option {name!r}.": "okänd flagga {name!r}.",
    "Option {name!r} does not take a value.": "flaggan {name!r} tar inget värde.",
    "Option {name!r} requires an argument.": "flaggan {name!r} behöver ett värde.",
    "Did you mean {possibility}?": "Menade du {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Menade du någon av: {possibilities}?)",
    "{value!r} is not one of {choices}.": "{value!r} är inte ett av valen {choices}.",
    "{value!r} is not {choice}.": "{value!r} är inte {choice}.",
    "{value!r} is not a valid {number_type}.": "{value!r} är inte ett giltigt {number_type}.",
    "{value} is not in the range {range}.": "{value} ligger inte inom {range}.",
    "Got unexpected extra argument ({args})": "oväntat extra argument ({args})",
    "Got unexpected extra arguments ({args})": "oväntade extra argument ({args})",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en mapp.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva till.",
    "Could not open file {filename!r}: {message}": "kunde inte öppna filen {filename!r}: {message}",
    "file": "fil",
    "directory": "mapp",
    "path": "sökväg",
    "required": "krävs",
    "default: {default}": "standard: {default}",
    "integer": "heltal",
    "float": "decimaltal",
}


def _gettext(message: str) -> str:
    return SV.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install() -> None:
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
    click.types.IntParamType.name = "heltal"
    click.types.IntRange.name = "heltal"
    click.types.FloatParamType.name = "decimaltal"
    click.types.FloatRange.name = "decimaltal"


    _swedish_metavars()


def _swedish_metavars() -> None:
    """click writes "[OPTIONS]" and "COMMAND [ARGS]..." by default; every command, ours or a helper's, gets Swedish."""
    if getattr(click.Command.__init__, "_sipkurs", False):
        return
    command_init, group_init = click.Command.__init__, click.Group.__init__

    def command(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        command_init(self, *args, **kwargs)

    def group(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENT]...")
        group_init(self, *args, **kwargs)

    command._sipkurs = group._sipkurs = True
    click.Command.__init__, click.Group.__init__ = command, group
