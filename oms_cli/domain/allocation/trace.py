"""An order's decision trace, kept as the planner's own values until it is written out.

The planner makes one trace per order; most are stored and never read again. So a
trace keeps what the router already holds (the ranked sites, the candidate sets) and
writes it out only when asked: ``as_dict`` for --explain and the Plan, ``as_json`` for
the database. Both say the same: ``json.loads(trace.as_json()) == trace.as_dict()``.
The text is compact JSON put together from pieces (json.dumps would take several
times as long, and allocation writes one trace per order); every string in it goes
through json's own escaping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from json.encoder import encode_basestring_ascii
from typing import Any

from oms_cli.domain.allocation.model import Policy
from oms_cli.domain.allocation.ranking import Candidate, Ranking

# Site codes, reasons and decisions repeat from order to order: quote each once.
_quoted = lru_cache(maxsize=4096)(encode_basestring_ascii)

CandidateShape = tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...], bool, bool]


@dataclass(slots=True)
class TraceContext:
    """What the traces of one planning run share: the rules in force and the policy.

    It remembers each candidate's text around its units (the one value that changes
    as stock is taken): the same sets of sites come back order after order.
    """

    ranking: Ranking
    policy: Policy
    policy_json: str = field(init=False)
    _texts: dict[CandidateShape, tuple[str, str]] = field(init=False, default_factory=dict)
    _lists: dict[tuple[str, ...], str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.policy_json = json.dumps(self.policy.describe(), separators=(",", ":"))

    def codes_json(self, codes: tuple[str, ...]) -> str:
        """A list of site codes as JSON text."""
        text = self._lists.get(codes)
        if text is None:
            text = self._lists[codes] = _codes(codes)
        return text

    def candidate_json(self, candidate: Candidate) -> str:
        _, priorities, distances, less_stock, _ = candidate.scores
        shape = (candidate.codes, priorities, distances, candidate.feasible, candidate.greedy)
        texts = self._texts.get(shape)
        if texts is None:
            texts = self._texts[shape] = self._texts_around_units(candidate)
        before, after = texts
        return f"{before}{-less_stock}{after}" if self.ranking.shows_units else before + after

    def _texts_around_units(self, candidate: Candidate) -> tuple[str, str]:
        before, after = self.ranking.shown_json_halves(candidate.scores)
        greedy = ',"greedy":true' if candidate.greedy else ""
        return (f'{{"sites":{_codes(candidate.codes)},"rules":{{{before}',
                f'{after}}},"feasible":{_boolean(candidate.feasible)}{greedy}}}')

    def candidate_dict(self, candidate: Candidate) -> dict[str, Any]:
        shown: dict[str, Any] = {"sites": list(candidate.codes),
                                 "rules": self.ranking.shown(candidate.scores),
                                 "feasible": candidate.feasible}
        if candidate.greedy:
            shown["greedy"] = True
        return shown


@dataclass(slots=True)  # not frozen: made for every order, and frozen init is 4x slower
class Trace:
    """Who could ship the order, the candidate sets and what each rule said, the choice.

    ``candidates`` are the ones shown, best first; ``omitted`` counts the others.
    """

    eligible: tuple[str, ...]
    ineligible: dict[str, str]  # code -> why not
    candidates: list[Candidate]
    omitted: int
    chosen: tuple[str, ...]
    decision: str
    wanted: int
    reserved: int
    context: TraceContext

    def as_dict(self) -> dict[str, Any]:
        """The trace as JSON-ready values (see the package docstring for its keys)."""
        trace: dict[str, Any] = {
            "eligible": list(self.eligible),
            "ineligible": dict(sorted(self.ineligible.items())),
            "candidates": [self.context.candidate_dict(c) for c in self.candidates],
            "chosen": list(self.chosen),
            "decision": self.decision,
            "policy": self.context.policy.describe(),
            "wanted": self.wanted,
            "reserved": self.reserved,
        }
        if self.omitted:
            trace["candidates_omitted"] = self.omitted
        return trace

    def as_json(self) -> str:
        """The same as ``as_dict``, as compact JSON text."""
        context = self.context
        ineligible = ",".join([f"{_quoted(code)}:{_quoted(why)}"
                               for code, why in sorted(self.ineligible.items())]
                              ) if self.ineligible else ""
        candidates = ",".join([context.candidate_json(c) for c in self.candidates])
        omitted = f',"candidates_omitted":{self.omitted}' if self.omitted else ""
        return (f'{{"eligible":{context.codes_json(self.eligible)},'
                f'"ineligible":{{{ineligible}}},"candidates":[{candidates}],'
                f'"chosen":{context.codes_json(self.chosen)},'
                f'"decision":{_quoted(self.decision)},"policy":{context.policy_json},'
                f'"wanted":{self.wanted},"reserved":{self.reserved}{omitted}}}')


def _codes(codes: tuple[str, ...]) -> str:
    return f"[{','.join([_quoted(code) for code in codes])}]"


def _boolean(value: bool) -> str:
    return "true" if value else "false"
