"""Extension points for upper layers (text intelligence, …) that work orders must not import.

- ``register_intake_hook(fn)``: ``fn(order_ids)`` runs after the transaction that completed the
  intake of a batch of submitted orders commits (suggestions, urgency flags, duplicate
  candidates). A failing hook is logged, never breaks intake.
- ``register_order_panel(key, render, *, slot="side", order=100)``: ``render(request, order)``
  returns HTML (or "") shown on the staff detail page of an order: ``slot="side"`` in the side
  column, ``slot="step_reply"`` inside the reply step's form (the reply check).
- ``register_similar_finder(fn)``: ``fn(queryset=, title=, text=, area_path=, lat=, lng=,
  address=, limit=)`` returns ``[{"order": id, "score": float, ...}]``, best first: open orders
  in ``queryset`` about the same problem nearby. Residents see these at intake ("the same
  problem is already reported: follow it instead"); without a finder the list is empty.

Upper layers register from their ``AppConfig.ready()``; like the navigation registry, this
keeps the import arrow pointing down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

log = logging.getLogger(__name__)

IntakeHook = Callable[[list[int]], None]
PanelRenderer = Callable[[Any, Any], str]
SimilarFinder = Callable[..., list[dict[str, Any]]]


@dataclass(frozen=True)
class OrderPanel:
    key: str
    render: PanelRenderer
    slot: str
    order: int


_intake_hooks: dict[str, IntakeHook] = {}
_panels: dict[str, OrderPanel] = {}
_similar_finder: list[SimilarFinder] = []


def register_intake_hook(key: str, hook: IntakeHook) -> None:
    _intake_hooks[key] = hook


def register_order_panel(key: str, render: PanelRenderer, *, slot: str = "side", order: int = 100) -> None:
    _panels[key] = OrderPanel(key, render, slot, order)


def register_similar_finder(finder: SimilarFinder) -> None:
    _similar_finder[:] = [finder]


def find_similar(**query: Any) -> list[dict[str, Any]]:
    """Candidates from the registered finder (none registered: no candidates). A failing
    finder is logged and gives no candidates: it must never stop a resident from reporting."""
    if not _similar_finder:
        return []
    try:
        return _similar_finder[0](**query)
    except Exception:
        log.exception("similar-request finder failed")
        return []


def after_intake(order_ids: Sequence[int]) -> None:
    """Run every intake hook for a batch of freshly submitted orders (after their intake
    completed)."""
    if not order_ids:
        return
    for key, hook in list(_intake_hooks.items()):
        try:
            hook(list(order_ids))
        except Exception:  # an advisor must never break intake
            log.exception("intake hook %s failed for orders %s", key, list(order_ids))


def render_panels(request: Any, order: Any) -> dict[str, list[SafeString]]:
    """Rendered panels by slot, in registration order."""
    out: dict[str, list[SafeString]] = {}
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        html = panel.render(request, order)
        if html:
            out.setdefault(panel.slot, []).append(mark_safe(html))
    return out
