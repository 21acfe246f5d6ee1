"""The arithmetic of the vote, in one place: plain functions over numbers.

The services call these on the locked round; tests call them with the seeds' numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def passes(yes: int, base: int) -> bool:
    """Adopted with approval strictly above half of the base (超过半数)."""
    return yes * 2 > base


def round_void(issued: int, returned: int) -> bool:
    """More ballots returned than issued: the round is void and must be held again."""
    return returned > issued


def ballot_void(approved: int, places: int | None) -> bool:
    """A ballot approving more projects than places is void."""
    return places is not None and approved > places


@dataclass
class Selection:
    passed: list[int] = field(default_factory=list)  # above the threshold, by votes
    winners: list[int] = field(default_factory=list)  # adopted, in rank order
    tied: list[int] = field(default_factory=list)  # tied at the cut-off: vote again
    tie_places: int = 0  # places the tied compete for
    open_places: int = 0  # places left unfilled (fewer passed than places)

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "winners": self.winners,
            "tied": self.tied,
            "tie_places": self.tie_places,
            "open_places": self.open_places,
        }


def select(votes: dict[int, int], *, places: int, base: int) -> Selection:
    """Who wins a selection round: `votes` {project: approvals}.

    Projects above half of the base are ranked by votes; the top `places` win. A tie
    at the cut-off leaves those places to a new round among the tied only; fewer
    passing projects than places leave places open.
    """
    passed = sorted(
        (p for p, yes in votes.items() if passes(yes, base)), key=lambda p: (-votes[p], p)
    )
    result = Selection(passed=passed)
    if len(passed) <= places:
        result.winners = passed
        result.open_places = places - len(passed)
        return result
    cutoff = votes[passed[places - 1]]
    if votes[passed[places]] != cutoff:
        result.winners = passed[:places]
        return result
    result.winners = [p for p in passed if votes[p] > cutoff]
    result.tied = [p for p in passed if votes[p] == cutoff]
    result.tie_places = places - len(result.winners)
    return result


def rating(satisfied: int, basic: int, unsatisfied: int, *, percent: int = 50) -> str:
    """The year-end rule: 满意 if more than `percent`% rate 满意, else 基本满意 if 满意 +
    基本满意 are more than `percent`%, else 不满意. Empty: ""."""
    total = satisfied + basic + unsatisfied
    if not total:
        return ""
    if satisfied * 100 > percent * total:
        return "satisfied"
    if (satisfied + basic) * 100 > percent * total:
        return "basic"
    return "unsatisfied"
