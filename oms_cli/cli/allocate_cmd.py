"""`oms allocate`: reserve stock for waiting orders and say where each one ships from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from oms_cli.cli.context import AppContext, OutputChoice, app_context, dry_prefix
from oms_cli.cli.options import DryRunOpt, FormatOpt, NoHeadersOpt, OutputOpt, RawOpt

if TYPE_CHECKING:
    from oms_cli.config import Config
    from oms_cli.domain.allocation import Policy


def register(app: typer.Typer) -> None:
    app.command("allocate")(allocate_command)


def allocate_command(
    ctx: typer.Context,
    orders: Annotated[list[str] | None, typer.Argument(help="Only these orders (id or "
                      "CHANNEL:EXTERNAL_ID); default: every waiting order.",
                      metavar="[ORDER]...")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show each order's candidate "
                       "locations, what each rule said, and the choice.")] = False,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = None, output: OutputOpt = None, no_headers: NoHeadersOpt = False,
    raw: RawOpt = False,
) -> None:
    """Reserve stock for ready, backordered and partially allocated orders: by order
    priority, then oldest first (FIFO), each routed by the configured rules (default
    fewest_splits, priority, nearest, most_stock; last tie-break the location code).
    Prints the plan: order, sku, location, quantity, decision."""
    from oms_cli.output import Listing
    from oms_cli.services.allocation import PLAN_COLUMNS, allocate
    from oms_cli.services.importing import settings_from

    obj = app_context(ctx)
    result = allocate(obj.writer("allocate", dry_run=dry_run), policy=policy_from(obj.config),
                      validation=settings_from(obj.config).policy, references=orders or (),
                      dry_run=dry_run, explain=explain, run_id=obj.run_id)
    obj.run_counts.update(orders=result.orders, units=result.units,
                          allocated=result.allocated, backordered=result.backordered)
    choice = OutputChoice(fmt, output, no_headers, raw)
    rows = result.rows
    if explain:
        planned = {row[0] for row in rows}
        rows = rows + [(ref, None, None, 0, trace.get("decision", ""))
                       for ref, trace in sorted(result.traces.items()) if ref not in planned]
    if explain and _is_table(choice):
        obj.emit(Listing(PLAN_COLUMNS, rows), choice)
        for ref, trace in sorted(result.traces.items()):
            typer.echo("\n".join(explanation(ref, trace)))
    elif explain:
        traces = result.traces
        obj.emit(Listing((*PLAN_COLUMNS, "explain"),
                         [(*row, traces.get(row[0])) for row in rows]), choice)
    else:
        obj.emit(Listing(PLAN_COLUMNS, rows), choice)
    _summarise(obj, result, dry_run)


def policy_from(config: Config) -> Policy:
    """The allocation policy the config sets."""
    from oms_cli.domain.allocation import Policy

    settings = config.allocation
    return Policy(rules=tuple(settings.rules), allow_split=settings.allow_split,
                  max_splits=settings.max_splits, partial=settings.partial)


def _is_table(choice: OutputChoice) -> bool:
    if choice.fmt:
        return choice.fmt == "table"
    return choice.output is None or choice.output.suffix.lower() in ("", ".txt")


def _summarise(obj: AppContext, result: Any, dry_run: bool) -> None:
    obj.info(f"{dry_prefix(dry_run)}{result.orders} order(s) looked at: {result.units} unit(s) "
             f"reserved; {result.allocated} fully allocated, {result.partial} partially, "
             f"{result.backordered} backordered")


def explanation(ref: str, trace: dict[str, Any]) -> list[str]:
    """A trace as lines a merchant can read: candidates, what each rule said, the choice."""
    lines = [f"\n{ref}: {trace.get('decision', '')}"]
    if trace.get("eligible"):
        lines.append(f"  eligible: {', '.join(trace['eligible'])}")
    for code, why in (trace.get("ineligible") or {}).items():
        lines.append(f"  not eligible: {code} ({why})")
    for candidate in trace.get("candidates") or []:
        verdict = "can ship all" if candidate.get("feasible") else "cannot ship all"
        said = ", ".join(f"{rule}={value}" for rule, value in candidate.get("rules", {}).items())
        lines.append(f"  candidate {'+'.join(candidate['sites'])}: {verdict}; {said}")
    if trace.get("candidates_omitted"):
        lines.append(f"  ... {trace['candidates_omitted']} more candidate sets")
    lines.append(f"  chosen: {'+'.join(trace.get('chosen') or []) or 'none'} "
                 f"({trace.get('reserved', 0)} of {trace.get('wanted', 0)} units)")
    return lines
