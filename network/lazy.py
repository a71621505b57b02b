"""Modules loaded on first use, so a command loads only the libraries it runs.

``pd = lazy_module("pandas", globals())`` binds a stand-in that imports pandas the first
time one of its attributes is read, and then puts the real module in its place in the
namespace given (every later read goes straight to the module, and a test that patches the
module patches what the code uses). A trace from the stored network thus never pays for
geopandas, pandas, shapely or scipy.spatial, which only the build uses.

Examples
--------
>>> ns = {}
>>> ns["js"] = lazy_module("json", ns)
>>> ns["js"].dumps([1])
'[1]'
>>> import json
>>> ns["js"] is json
True
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import MutableMapping
from typing import Any


class _LazyModule(types.ModuleType):
    """Imports the module named ``_lazy_target`` on the first attribute read."""

    def __getattr__(self, attr: str) -> Any:
        real = importlib.import_module(self.__dict__["_lazy_target"])
        namespace = self.__dict__.get("_lazy_namespace")
        if namespace is not None:
            for key, value in list(namespace.items()):
                if value is self:
                    namespace[key] = real
        return getattr(real, attr)


def lazy_module(name: str, namespace: MutableMapping[str, Any] | None = None) -> Any:
    """The module *name* if it is loaded already, else a stand-in importing it on first use.

    Parameters
    ----------
    name : the module's dotted name
    namespace : the caller's ``globals()``; on first use the stand-in replaces itself there
        with the module.
    """
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    mod = _LazyModule(name)
    mod.__dict__["_lazy_target"] = name
    mod.__dict__["_lazy_namespace"] = namespace
    return mod
