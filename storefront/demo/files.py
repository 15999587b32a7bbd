"""Reading the demo's data files (``storefront/demo/data``), when a seed runs.

Rows are TOML files (``table("catalog")``). Long texts are Markdown files, one per page or
article, in a folder: each starts with a TOML front matter between two ``+++`` lines, and
its name is a number that orders the files, a dash, and the text's slug or key
(``articles/02-what-causes-milia.md``). Whitespace around the body is not part of it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

FENCE = "+++"
_NUMBERED = re.compile(r"^\d+-")


class DemoDataError(ValueError):
    """A data file that cannot be read as the demo expects."""


def data_folder() -> Traversable:
    return files(__package__).joinpath("data")


def table(name: str) -> dict[str, Any]:
    """The TOML file ``data/<name>.toml``."""
    return tomllib.loads(data_folder().joinpath(f"{name}.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Document:
    name: str  # the file's name without its number and ".md": a slug or a key
    fields: dict[str, Any]  # the front matter
    body: str  # Markdown


def document(file: Traversable) -> Document:
    text = file.read_text(encoding="utf-8")
    parts = text.split(FENCE + "\n", 2)
    if len(parts) != 3 or parts[0]:
        raise DemoDataError(f"{file.name} does not start with a {FENCE} front matter {FENCE}")
    name = _NUMBERED.sub("", file.name.removesuffix(".md"))
    return Document(name, tomllib.loads(parts[1]), parts[2].strip("\n"))


def markdown(name: str) -> Document:
    """The Markdown file ``data/<name>.md``."""
    return document(data_folder().joinpath(f"{name}.md"))


def documents(folder: str) -> list[Document]:
    """The Markdown files of ``data/<folder>``, in the order of their names."""
    found = [file for file in data_folder().joinpath(folder).iterdir()
             if file.name.endswith(".md")]
    return [document(file) for file in sorted(found, key=lambda file: file.name)]
