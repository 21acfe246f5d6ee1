"""Workflows as tables: each action declared once.

An app declares its workflow in its own `workflow.py`:

    WORKFLOW = Workflow(
        name=_("事项"),
        states=Suggestion.Status,
        actions=[
            Action("accept", _("受理"), sources=[S.SUBMITTED], target=S.ACCEPTED,
                   allowed=permissions.can_triage_suggestion),
            ...
        ],
    )

- `sources`: the states the action starts from; `target`: the state it leads to
  (None: the state does not change, e.g. a request; a tuple: the service picks one
  of these, e.g. a follow-up that closes or reopens);
- `allowed(actor, obj, **context)`: who may take it, a predicate from the app's
  `permissions.py`;
- `when(obj, **context)`: a further condition on the object (a deadline not yet
  passed, nothing pending), returning the Chinese refusal or None;
- `deadline`: the name of the deadline rule the action starts, for the record.

Services call `WORKFLOW.check(name, actor, obj)` after locking the row (wrong
person: PermissionDenied; wrong state or condition: ValidationError with a Chinese
message) and `WORKFLOW.move(name, obj)` to set the target state; pages and the API
list what `WORKFLOW.available(actor, obj)` offers, so neither can offer what the
service refuses, nor the reverse. `tests/core/test_workflow.py` shows the shape of
the whole-table test each app writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: Sequence[str]
    target: str | tuple[str, ...] | None
    allowed: Callable[..., bool]
    when: Callable[..., str | None] | None = None
    deadline: str = ""

    @property
    def targets(self) -> tuple[str, ...]:
        if self.target is None:
            return ()
        return self.target if isinstance(self.target, tuple) else (self.target,)


@dataclass
class Workflow:
    """The actions of one kind of object, keyed by name, over the states in `states`."""

    name: str
    states: type[models.TextChoices]
    actions: Iterable[Action]
    state_field: str = "status"
    by_name: dict[str, Action] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {}
        for action in self.actions:
            if action.name in self.by_name:
                raise ValueError(f"action {action.name} declared twice")
            unknown = {*action.sources, *action.targets} - set(self.states.values)
            if unknown:
                raise ValueError(f"action {action.name} names unknown states {unknown}")
            self.by_name[action.name] = action
        self.actions = tuple(self.by_name.values())

    def __getitem__(self, name: str) -> Action:
        return self.by_name[name]

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def refusal(self, name: str, actor, obj, **context) -> Exception | None:
        """Why `actor` may not take `name` on `obj` now (None: they may)."""
        action = self[name]
        if not action.allowed(actor, obj, **context):
            return PermissionDenied(_("您无权进行此操作。"))
        state = self.state_of(obj)
        if state not in action.sources:
            return ValidationError(
                _("该%(what)s当前状态为“%(status)s”，不能%(action)s。")
                % {
                    "what": self.name,
                    "status": self.states(state).label,
                    "action": action.label,
                }
            )
        if action.when is not None:
            message = action.when(obj, **context)
            if message:
                return ValidationError(message)
        return None

    def check(self, name: str, actor, obj, **context) -> Action:
        """Raise unless `actor` may take `name` on `obj` now; call it on the locked row."""
        refusal = self.refusal(name, actor, obj, **context)
        if refusal is not None:
            raise refusal
        return self[name]

    def can(self, name: str, actor, obj, **context) -> bool:
        return self.refusal(name, actor, obj, **context) is None

    def available(self, actor, obj, **context) -> list[str]:
        """The names of the actions `actor` may take on `obj` now, in table order."""
        return [a.name for a in self.actions if self.refusal(a.name, actor, obj, **context) is None]

    def move(self, name: str, obj, target: str | None = None) -> None:
        """Set the state `name` leads to (`target` picks one when the action has several)."""
        targets = self[name].targets
        if target is None:
            if len(targets) != 1:
                raise ValueError(f"action {name} leads to {targets}: say which")
            target = targets[0]
        elif target not in targets:
            raise ValueError(f"action {name} cannot lead to {target}")
        setattr(obj, self.state_field, target)
