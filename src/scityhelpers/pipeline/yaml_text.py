"""Reading YAML: PyYAML's safe loader, on libyaml's C parser when PyYAML was built with it.

The manifest, the table of contents, the configuration and the Japanese edition's translation
files are read by every ``scity`` command, tens of files per build; the C parser reads them
several times faster than the pure-Python one and builds the same objects (the same safe
constructors and resolvers run on its events). Errors are the same ``yaml.YAMLError`` classes.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

#: ``yaml.CSafeLoader`` where libyaml is available, else the pure-Python ``SafeLoader``
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(source: str | bytes | IO[str]) -> Any:
    """``yaml.safe_load(source)``, parsed by libyaml when it is available.

    Raises:
        yaml.YAMLError: the text is not valid YAML (with the line and column).
    """
    return yaml.load(source, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
