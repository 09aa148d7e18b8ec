"""Which sites may serve an order, and how the policy's rules rank sets of them.

What the rules say about a set of sites is held as its scores: the number of sites,
their priorities and their distances (each sorted), minus the units of the order's
products they hold (so that more stock sorts first), and their codes. A rank key
picks the policy's rules from the scores in order, then the codes, so ties are broken
the same way whatever order the sites or orders arrived in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from oms_cli.domain.allocation.model import Site
from oms_cli.errors import InvalidInput

# nearest: a site in the order's country and region, then its country, then elsewhere
SAME_REGION, SAME_COUNTRY, ELSEWHERE = 0, 1, 2

Scores = tuple[int, tuple[int, ...], tuple[int, ...], int, tuple[str, ...]]
RankKey = tuple[Any, ...]
SCORE_OF_RULE = {"fewest_splits": 0, "priority": 1, "nearest": 2, "most_stock": 3}
CODES = 4
# How each rule's value reads in a trace's JSON (see Ranking.shown_json_halves).
RULE_JSON = {"fewest_splits": "{sites}", "priority": "[{priorities}]",
             "nearest": "[{distances}]", "most_stock": "{units}"}


@dataclass(slots=True)  # not frozen: made for every order, and frozen init is 4x slower
class Candidate:
    """A set of sites tried for the whole order, with what the rules said of it.

    It is feasible when it ships every unit and each of its sites ships something;
    ``greedy`` marks the set a greedy fill chose.
    """

    codes: tuple[str, ...]  # the sites, in their individual rank order
    scores: Scores
    key: RankKey
    feasible: bool
    greedy: bool


@dataclass(slots=True)
class Option(Candidate):
    """A site as one order sees it, ranked alone: the candidate of that site by itself.

    ``units`` counts the order's products available there; it is feasible when it
    could ship the whole order by itself.
    """

    code: str
    priority: int
    distance: int
    units: int


def set_scores(options: Sequence[Option]) -> Scores:
    if len(options) == 1:
        return options[0].scores
    return (len(options), tuple(sorted(option.priority for option in options)),
            tuple(sorted(option.distance for option in options)),
            -sum(option.units for option in options),
            tuple(sorted(option.code for option in options)))


class Ranking:
    """The policy's ordered rules as a sort key over scores, and as the trace shows them."""

    def __init__(self, rules: Sequence[str]) -> None:
        self.rules = tuple(rules)
        pick = itemgetter(*(SCORE_OF_RULE[rule] for rule in self.rules), CODES)
        # The rank key: the rules' scores in order, then the codes. (An itemgetter of
        # the codes alone returns them bare, so with no rules they are wrapped.)
        self.key: Callable[[Scores], RankKey] = pick if self.rules else (
            lambda scores: (pick(scores),))
        shown = ",".join(f'"{rule}":{RULE_JSON[rule]}' for rule in self.rules)
        self._before_units, units, self._after_units = shown.partition("{units}")
        self.shows_units = bool(units)

    def option(self, site: Site, distance: int, units: int, whole: bool) -> Option:
        codes = (site.code,)
        scores = (1, (site.priority,), (distance,), -units, codes)
        return Option(codes, scores, self.key(scores), whole, False, site.code, site.priority,
                      distance, units)

    def shown(self, scores: Scores) -> dict[str, Any]:
        """Each rule's value: lists rather than tuples, stock as a count of units."""
        sites, priorities, distances, less_stock, _ = scores
        values = {"fewest_splits": sites, "priority": list(priorities),
                  "nearest": list(distances), "most_stock": -less_stock}
        return {rule: values[rule] for rule in self.rules}

    def shown_json_halves(self, scores: Scores) -> tuple[str, str]:
        """The members of ``shown`` as JSON text (no braces), before and after the units
        of ``most_stock``, the one value that changes as stock is taken (``shows_units``
        says whether it is shown; when it is not, all of the text is before)."""
        _, priorities, distances, _, _ = scores
        values = {"sites": scores[0], "priorities": _ints(priorities),
                  "distances": _ints(distances)}
        return self._before_units.format(**values), self._after_units.format(**values)


def _ints(values: tuple[int, ...]) -> str:
    return ",".join(map(str, values))


@dataclass(frozen=True, slots=True)
class Reach:
    """Sites that may ship to one destination (with their distance), and why the others may not."""

    sites: tuple[tuple[Site, int], ...]
    refused: dict[str, str]


class Routes:
    """Answers, once per destination, which active sites ship there."""

    def __init__(self, sites: Iterable[Site]) -> None:
        self._sites = sorted(sites, key=lambda site: site.code)
        codes = [site.code for site in self._sites]
        if len(set(codes)) != len(codes):
            raise InvalidInput("two locations share a code; each needs its own")
        self._ships_to = {site.code: frozenset(_country(c) for c in site.ships_to)
                          for site in self._sites}
        self._reach: dict[tuple[str | None, str | None], Reach] = {}

    def reach(self, country: str | None, region: str | None) -> Reach:
        """The sites that ship to an order's country and region, as it spells them."""
        spelt = (country, region)
        found = self._reach.get(spelt)
        if found is None:
            destination = (_country(country), _region(region))
            found = self._reach.get(destination) or self._find_reach(*destination)
            self._reach[spelt] = self._reach[destination] = found
        return found

    def _find_reach(self, country: str | None, region: str | None) -> Reach:
        sites: list[tuple[Site, int]] = []
        refused: dict[str, str] = {}
        for site in self._sites:
            if not site.active:
                refused[site.code] = "inactive"
            elif not self._ships(site, country):
                refused[site.code] = f"does not ship to {country}"
            else:
                sites.append((site, _distance(site, country, region)))
        return Reach(tuple(sites), refused)

    def _ships(self, site: Site, country: str | None) -> bool:
        if country is None:
            return True
        ships_to = self._ships_to[site.code]
        if ships_to:
            return country in ships_to
        home = _country(site.country)
        return home is None or home == country


def _distance(site: Site, country: str | None, region: str | None) -> int:
    if country is None or _country(site.country) != country:
        return ELSEWHERE
    if region is not None and _region(site.region) == region:
        return SAME_REGION
    return SAME_COUNTRY


def _country(code: str | None) -> str | None:
    return code.strip().upper() or None if code else None


def _region(name: str | None) -> str | None:
    return name.strip().casefold() or None if name else None
