"""Built-in rules, one module per family. Importing this package registers them all."""

from __future__ import annotations

import importlib

FAMILY_MODULES = (
    "scoring",
    "coverage",
    "quality",
    "relevance",
    "monitoring",
    "consistency",
    "process",
)

for _name in FAMILY_MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # a family not written yet
        if _exc.name != f"{__name__}.{_name}":
            raise
