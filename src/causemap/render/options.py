"""What a picture shows (``RenderOptions``) and how much work a render may take (``RenderLimits``).

``RenderOptions`` is a small flat model so that the CLI flags and the service's query
parameters are the same names with the same types. ``RenderLimits`` is not user-facing:
the CLI uses the defaults, and a service passes tighter ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from causemap.fields import Slug

__all__ = ["DEFAULT_LIMITS", "Direction", "RenderLimits", "RenderOptions"]

Direction = Literal["LR", "TB"]


class RenderOptions(BaseModel):
    """The view: which parts of the incident a diagram shows, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    direction: Direction | None = None
    """Flow of causes toward the impact: LR (left to right) or TB (top down). Default: LR,
    or TB with level lanes, so that the organization sits on top."""
    lanes: Literal["none", "level"] = "none"
    """level: AcciMap swimlanes, from external and organization down to technical."""
    actions: bool = False
    """Draw action items as notes tied to the nodes they address."""
    highlight: Literal["none", "uncovered"] = "none"
    """uncovered: draw heavy the causal paths that no preventive action cuts."""
    focus: Slug | None = None
    """Show only this node, its causes (ancestors) and its effects (descendants)."""
    legend: bool = True
    """Draw a legend of shapes, colours and markers."""
    edge_labels: bool = True
    """Show the labels of cause → effect links."""

    @property
    def rankdir(self) -> Direction:
        """The direction in effect."""
        if self.direction is not None:
            return self.direction
        return "TB" if self.lanes == "level" else "LR"


@dataclass(frozen=True)
class RenderLimits:
    """Caps that keep one render bounded in size, time and memory."""

    max_nodes: int = 1_000
    """Nodes drawn, action notes included."""
    max_edges: int = 4_000
    """Edges drawn, action links included."""
    max_label: int = 500
    """Characters in any one label, before wrapping."""
    timeout: float = 60.0
    """Wall-clock seconds ``dot`` may run."""
    cpu_seconds: int = 60
    """CPU seconds ``dot`` may use (``prlimit --cpu``)."""
    memory_bytes: int = 2 * 1024**3
    """Address space ``dot`` may map (``prlimit --as``)."""


DEFAULT_LIMITS = RenderLimits()
