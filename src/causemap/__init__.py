"""causemap: blameless postmortems as causal graphs.

The library API::

    >>> import causemap
    >>> incident = causemap.load("examples/global-config-push.yaml")  # doctest: +SKIP
    >>> G = causemap.to_graph(incident)                                # doctest: +SKIP
    >>> print(causemap.dump(incident, "json"))                         # doctest: +SKIP

``load``/``loads`` read YAML or JSON and raise :class:`InvalidIncident` with located
diagnostics; ``check_file`` returns them instead. ``to_graph`` gives a
``networkx.DiGraph`` (cause → effect) and ``from_graph`` turns it back into the model;
``analyze`` classifies nodes, runs the method checks and judges prevention.

Names are imported on first use, so that ``import causemap`` (and the CLI's ``--help``)
stays fast.
"""

import importlib as _importlib
import typing as _typing

__version__ = "0.1.0"

_EXPORTS = {
    "Action": "causemap.model",
    "ActionStatus": "causemap.model",
    "ActionType": "causemap.model",
    "Analysis": "causemap.analyses",
    "CausalGraph": "causemap.graph",
    "CausemapError": "causemap.errors",
    "Checked": "causemap.loader",
    "Diagnostic": "causemap.diagnostics",
    "Edge": "causemap.model",
    "Gate": "causemap.model",
    "Incident": "causemap.model",
    "InvalidIncident": "causemap.errors",
    "Level": "causemap.model",
    "Node": "causemap.model",
    "NodeClass": "causemap.model",
    "NodeKind": "causemap.model",
    "analyze": "causemap.analyses",
    "check_file": "causemap.loader",
    "dump": "causemap.loader",
    "from_graph": "causemap.graph",
    "load": "causemap.loader",
    "loads": "causemap.loader",
    "to_graph": "causemap.graph",
}

__all__ = [
    "__version__",
    "Action",
    "ActionStatus",
    "ActionType",
    "Analysis",
    "analyze",
    "CausalGraph",
    "CausemapError",
    "check_file",
    "Checked",
    "Diagnostic",
    "dump",
    "Edge",
    "from_graph",
    "Gate",
    "Incident",
    "InvalidIncident",
    "Level",
    "load",
    "loads",
    "Node",
    "NodeClass",
    "NodeKind",
    "to_graph",
]

if _typing.TYPE_CHECKING:
    from causemap.analyses import Analysis, analyze
    from causemap.diagnostics import Diagnostic
    from causemap.errors import CausemapError, InvalidIncident
    from causemap.graph import CausalGraph, from_graph, to_graph
    from causemap.loader import Checked, check_file, dump, load, loads
    from causemap.model import (
        Action,
        ActionStatus,
        ActionType,
        Edge,
        Gate,
        Incident,
        Level,
        Node,
        NodeClass,
        NodeKind,
    )


def __getattr__(name: str) -> _typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'causemap' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
