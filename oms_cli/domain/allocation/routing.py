"""Finding the set of sites that ships one order, given the stock left.

Within any set the sites are tried in their individual rank order: each line takes as
many whole units as it can from the first, then the next. A bundle unit needs all of
its components at one site, so a line splits across sites only by whole units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from oms_cli.domain.allocation.model import Demand
from oms_cli.domain.allocation.ranking import Candidate, Option, Ranking, set_scores

# Sets of up to this many sites are searched exactly; larger ones greedily.
EXACT_SEARCH_LIMIT = 3

Parts = tuple[tuple[int, int], ...]
Line = tuple[int, int, Parts]  # line id, units wanted, (product, per unit) merged
Take = tuple[int, str, int]  # line id, site code, line units
Stock = Mapping[int, Mapping[str, int]]  # product -> site code -> units left to promise
NONE_LEFT: Mapping[str, int] = {}  # the sites holding a product none has left


@dataclass(slots=True)  # not frozen: made for every order, and frozen init is 4x slower
class Needs:
    """One order's lines as the router reads them.

    ``products`` pairs each product with the units of it the whole order takes: a
    site holding that much of each can ship every line by itself, whichever lines
    share a product (and one holding less of any cannot).
    """

    lines: tuple[Line, ...]
    parts: dict[int, Parts]  # line id -> its parts
    total: int  # line units wanted
    products: tuple[tuple[int, int], ...]  # (product, units)

    @classmethod
    def of(cls, demands: Sequence[Demand]) -> Needs:
        lines: list[Line] = []
        parts_of: dict[int, Parts] = {}
        need: dict[int, int] = {}  # product -> units
        total = 0
        for demand in demands:
            wanted, parts = demand.quantity, demand.parts
            if len(parts) > 1:  # checked here: a call for every plain line costs
                parts = _merged(parts)
            lines.append((demand.line_id, wanted, parts))
            parts_of[demand.line_id] = parts
            total += wanted
            for product, per_unit in parts:
                need[product] = need.get(product, 0) + wanted * per_unit
        return cls(tuple(lines), parts_of, total, tuple(need.items()))

    def holdings(self, stock: Stock) -> list[tuple[Mapping[str, int], int]]:
        """For each of the order's products: the units of it each site has left, and the
        units of it the order takes."""
        return [(stock.get(product, NONE_LEFT), needed) for product, needed in self.products]

    def all_from(self, code: str) -> tuple[Take, ...]:
        return tuple([(line_id, code, wanted) for line_id, wanted, _ in self.lines])


def _merged(parts: Parts) -> Parts:
    """A bundle listing a product twice needs the sum of both per unit."""
    per_unit: dict[int, int] = {}
    for product, units in parts:
        per_unit[product] = per_unit.get(product, 0) + units
    return tuple(per_unit.items())


@dataclass(slots=True)  # not frozen: made for every order, and frozen init is 4x slower
class Fill:
    """What a set of sites would reserve for an order's lines, and what it leaves short."""

    takes: tuple[Take, ...]
    shortfall: int

    @property
    def sites(self) -> tuple[str, ...]:
        """The sites that ship something, in the order they were tried."""
        return tuple(dict.fromkeys(code for _, code, _ in self.takes))

    @property
    def reserved(self) -> int:
        return sum([units for _, _, units in self.takes])


def fill(needs: Needs, codes: Sequence[str], stock: Stock, *,
         stop_when_short: bool = False) -> Fill:
    """Take each line's units from ``codes`` in turn, as many as possible from each.

    With ``stop_when_short`` it gives up at the first line that falls short (the
    shortfall then counts up to that line): enough to tell a set cannot ship it all.
    """
    used: dict[tuple[int, str], int] = {}
    takes: list[Take] = []
    shortfall = 0
    for line_id, wanted, parts in needs.lines:
        for code in codes:
            # As many whole units as every part allows (a plain loop: min() over a
            # generator costs more, and this runs for each line at each site tried).
            units = wanted
            for product, per_unit in parts:
                free = (stock.get(product, NONE_LEFT).get(code, 0)
                        - used.get((product, code), 0)) // per_unit
                if free < units:
                    units = free
            if units > 0:
                takes.append((line_id, code, units))
                for product, per_unit in parts:
                    used[product, code] = used.get((product, code), 0) + units * per_unit
                wanted -= units
                if not wanted:
                    break
        shortfall += wanted
        if shortfall and stop_when_short:
            break
    return Fill(tuple(takes), shortfall)


def whole_order_candidates(needs: Needs, ranked: Sequence[Option], stock: Stock,
                           ranking: Ranking, limit: int | None) -> list[Candidate]:
    """Every set of up to three sites tried for the whole order, smallest sets first.

    When ``fewest_splits`` leads the rules a larger set can never beat a smaller one,
    so the search stops at the first size where some set is feasible.
    """
    largest = min(EXACT_SEARCH_LIMIT, len(ranked), limit or EXACT_SEARCH_LIMIT)
    stop_at_first_size = ranking.rules[:1] == ("fewest_splits",)
    tried: list[Candidate] = list(ranked)  # each site is a candidate by itself
    found = any([option.feasible for option in ranked])  # some set so far ships it all
    for size in range(2, largest + 1):
        if stop_at_first_size and found:
            break
        for options in combinations(ranked, size):  # each keeps the rank order
            scores = set_scores(options)
            codes = tuple([option.code for option in options])
            feasible = _ships_all(needs, codes, stock)
            tried.append(Candidate(codes, scores, ranking.key(scores), feasible, False))
            found = found or feasible
    return tried


def _ships_all(needs: Needs, codes: Sequence[str], stock: Stock) -> bool:
    tried = fill(needs, codes, stock, stop_when_short=True)
    return not tried.shortfall and len(tried.sites) == len(codes)


def greedy_fill(needs: Needs, ranked: Sequence[Option], stock: Stock,
                limit: int | None) -> Fill:
    """Reserve what the sites allow, from at most ``limit`` of them; may fall short.

    Each step adds the site that would reserve the most more units (the better
    ranked on a tie) until all is reserved, no site adds anything or the limit is
    reached; so a limit of one picks the site that holds most of the order. The
    chosen sites then fill in their rank order.
    """
    chosen: set[str] = set()  # the codes of the sites chosen so far
    best = fill(needs, (), stock)
    most_sites = len(ranked) if limit is None else min(limit, len(ranked))
    while best.shortfall and len(chosen) < most_sites:
        trials = [(fill(needs, _in_rank_order(ranked, {*chosen, option.code}), stock),
                   option.code) for option in ranked if option.code not in chosen]
        better, code = max(trials, key=lambda trial: trial[0].reserved)  # first wins a tie
        if better.reserved <= best.reserved:
            break
        best = better
        chosen.add(code)
    return best


def _in_rank_order(ranked: Sequence[Option], codes: set[str]) -> list[str]:
    return [option.code for option in ranked if option.code in codes]


def whole_order_takes(needs: Needs, candidate: Candidate, stock: Stock) -> tuple[Take, ...]:
    """What a feasible candidate reserves: each line from its sites in their rank order."""
    if len(candidate.codes) == 1:
        return needs.all_from(candidate.codes[0])
    return fill(needs, candidate.codes, stock).takes
