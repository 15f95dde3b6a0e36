"""Measurement registry, timing, peak-memory probe and report of the benchmark.

A measurement is a function registered with ``@measurement(name, title)``. It
receives the ``Bench`` context and returns a ``Measurement``: the cases to time
(the module's way and the naive or built-in ways it is compared with) and the
targets relating them. It raises ``Skip`` when the feature it measures is not
in the module yet. Adding a measurement means writing one such function in a
file of ``bench/measurements/`` and importing that file in its ``__init__``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MB = 1024 * 1024


class Skip(Exception):
    """Raised by a measurement or a case builder whose feature does not exist yet."""


@dataclass(frozen=True)
class BenchSize:
    """Row counts of the synthetic archive and of each measurement."""

    label: str
    customers: int
    documents: int
    purchases: int
    classify_customers: int
    classify_purchases: int
    loop_sample: int
    read_documents: int
    import_rows: int
    overview_customers: int
    journal_entries: int

    @classmethod
    def for_customers(cls, customers: int, label: str | None = None) -> BenchSize:
        """Derive every count from the number of customers.

        At 1,000,000 customers this gives the large size: 1,000,000 documents,
        5,000,000 purchases, recomputation of 100,000 customers with 1,000,000
        purchases, 10,000 documents read, 100,000 customers imported and
        exported, and 10,000 journal entries on one customer.
        """
        if customers < 10:
            raise ValueError(f"at least 10 customers are needed, got {customers}")
        tenth = customers // 10
        return cls(
            label=label or str(customers),
            customers=customers,
            documents=customers,
            purchases=5 * customers,
            classify_customers=tenth,
            classify_purchases=10 * tenth,
            loop_sample=min(2000, tenth),
            read_documents=min(10_000, tenth),
            import_rows=min(100_000, tenth),
            overview_customers=min(100_000, tenth),
            journal_entries=min(10_000, max(1, customers // 100)),
        )


SIZES = {
    "small": BenchSize.for_customers(50_000, "small"),
    "large": BenchSize.for_customers(1_000_000, "large"),
}
# Size the targets are set for; smaller sizes report them for information.
TARGET_SIZE = "large"


def parse_size(text: str) -> BenchSize:
    """Return the named size, or the size for a number of customers."""
    if text in SIZES:
        return SIZES[text]
    try:
        customers = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise ValueError(
            f"invalid size {text!r}: use small, large or a number of customers"
        ) from None
    return BenchSize.for_customers(customers)


@dataclass
class Bench:
    """Context of a measurement: the environment, the sizes and the fixture facts.

    ``env`` is a superuser environment on a cursor whose changes are rolled back.
    ``facts`` are the values the fixture stored: user ids, the company and the
    reference date.
    """

    env: Any
    size: BenchSize
    facts: dict


@dataclass
class Case:
    """One way of doing the measured work, timed on its own.

    ``run`` does the work and returns its result (a list of ids, for the
    agreement check, or anything else). ``scale`` multiplies the time of a
    case run on a sample up to the full work. ``max_runs`` caps the
    repetitions of a slow case. A case with ``in_child`` runs in a new process
    for each repetition, which also reports its peak memory above idle.
    ``vacuum`` names the tables that the case writes to: they are vacuumed
    after each run, outside the timed part, because the rolled-back rows
    would otherwise slow down the next runs.
    """

    name: str
    description: str
    run: Callable[[], Any]
    scale: float = 1.0
    max_runs: int | None = None
    in_child: bool = False
    rows: Callable[[Any], int] | None = None
    vacuum: tuple[str, ...] = ()


@dataclass
class Target:
    """Bound on the ratio of two cases' median times, or on a case's memory.

    With ``denominator`` the ratio is ``numerator / denominator`` of the
    median times (scaled). Without it, the bound applies to ``numerator``'s
    median peak memory above idle, in MB.
    """

    numerator: str
    denominator: str | None = None
    at_least: float | None = None
    at_most: float | None = None

    @property
    def label(self) -> str:
        if self.denominator:
            return f"{self.numerator} / {self.denominator}"
        return f"{self.numerator} peak memory above idle"


@dataclass
class Measurement:
    """Cases and targets returned by a measurement function.

    ``compare`` names the cases whose results must hold the same ids.
    ``missing`` lists ``(case name, reason)`` of cases that cannot run yet.
    """

    cases: list[Case]
    targets: list[Target] = field(default_factory=list)
    compare: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Registered:
    name: str
    title: str
    function: Callable[[Bench], Measurement]


MEASUREMENTS: dict[str, Registered] = {}


def measurement(name: str, title: str):
    """Register the decorated function as measurement ``name``."""

    def register(function):
        if name in MEASUREMENTS:
            raise ValueError(f"measurement {name} is registered twice")
        MEASUREMENTS[name] = Registered(name, title, function)
        return function

    return register


# --------------------------------------------------------------------------
# Running


@dataclass
class CaseResult:
    name: str
    description: str
    scale: float
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    rows: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) * self.scale

    @property
    def minimum(self) -> float:
        return min(self.seconds) * self.scale

    @property
    def maximum(self) -> float:
        return max(self.seconds) * self.scale

    @property
    def median_peak_mb(self) -> float | None:
        return statistics.median(self.peak_mb) if self.peak_mb else None


@dataclass
class TargetResult:
    label: str
    value: float | None
    at_least: float | None
    at_most: float | None
    unit: str

    @property
    def status(self) -> str:
        if self.value is None:
            return "not measured"
        if self.at_least is not None and self.value < self.at_least:
            return "missed"
        if self.at_most is not None and self.value > self.at_most:
            return "missed"
        return "met"

    @property
    def bound(self) -> str:
        if self.at_least is not None:
            return f">= {self.at_least:g}{self.unit}"
        return f"<= {self.at_most:g}{self.unit}"


@dataclass
class MeasurementResult:
    name: str
    title: str
    skipped: str | None = None
    cases: list[CaseResult] = field(default_factory=list)
    targets: list[TargetResult] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    agreement: str | None = None


def build_measurement(bench: Bench, name: str) -> Measurement:
    return MEASUREMENTS[name].function(bench)


def _result_ids(result: Any) -> list | None:
    """Return the sorted ids of a result that is a collection of ids, else None."""
    if isinstance(result, list | tuple | set | frozenset) and all(
        isinstance(item, int) for item in result
    ):
        return sorted(set(result))
    return None


def time_case(env, case: Case) -> tuple[float, Any]:
    """Run ``case`` once in a savepoint that is rolled back; return time, result.

    The record cache is emptied before the run, so each run reads the
    database as a new request would. Pending writes and the precommit hooks
    (such as mail tracking) run inside the timed part, so work that the ORM
    defers to the commit is counted.
    """
    env.cr.flush()
    env.invalidate_all()
    gc.collect()
    with contextlib.closing(env.cr.savepoint()):
        started = time.perf_counter()
        result = case.run()
        env.cr.flush()
        elapsed = time.perf_counter() - started
    env.invalidate_all()
    return elapsed, result


def run_measurement(
    bench: Bench,
    registered: Registered,
    repeat: int,
    run_child: Callable[[str, str], dict],
    vacuum: Callable[[tuple[str, ...]], None],
    log: Callable[[str], None],
) -> MeasurementResult:
    """Time every case of a measurement ``repeat`` times, interleaving the cases.

    Interleaving spreads changes of the machine's load over all cases alike.
    """
    outcome = MeasurementResult(registered.name, registered.title)
    try:
        spec = registered.function(bench)
    except Skip as skip:
        outcome.skipped = str(skip)
        return outcome
    outcome.missing = list(spec.missing)
    outcome.notes = list(spec.notes)
    results = {
        case.name: CaseResult(case.name, case.description, case.scale)
        for case in spec.cases
    }
    first_results = {}
    for round_number in range(repeat):
        for case in spec.cases:
            result = results[case.name]
            if case.max_runs is not None and len(result.seconds) >= case.max_runs:
                continue
            if case.in_child:
                report = run_child(registered.name, case.name)
                result.seconds.append(report["seconds"])
                result.peak_mb.append(report["peak_mb"])
                result.rows = report.get("rows")
            else:
                seconds, value = time_case(bench.env, case)
                result.seconds.append(seconds)
                if round_number == 0:
                    first_results[case.name] = value
                    ids = _result_ids(value)
                    if case.rows:
                        result.rows = case.rows(value)
                    elif ids is not None:
                        result.rows = len(ids)
            if case.vacuum:
                vacuum(case.vacuum)
            log(
                f"   .. {registered.name} {case.name} run {len(result.seconds)}: "
                f"{result.seconds[-1]:.4f} s"
            )
    outcome.cases = list(results.values())
    outcome.agreement = _check_agreement(spec.compare, first_results)
    outcome.targets = [_evaluate(target, results) for target in spec.targets]
    return outcome


def _check_agreement(names: list[str], first_results: dict) -> str | None:
    present = [name for name in names if name in first_results]
    if len(present) < 2:
        return None
    id_lists = {name: _result_ids(first_results[name]) for name in present}
    reference = id_lists[present[0]]
    differing = [name for name in present[1:] if id_lists[name] != reference]
    if differing:
        return (
            f"MISMATCH: {', '.join(differing)} differ from {present[0]} "
            f"({len(reference)} rows)"
        )
    return f"same {len(reference):,} rows: {', '.join(present)}"


def _evaluate(target: Target, results: dict[str, CaseResult]) -> TargetResult:
    numerator = results.get(target.numerator)
    if target.denominator is None:
        peak = numerator.median_peak_mb if numerator else None
        return TargetResult(target.label, peak, target.at_least, target.at_most, " MB")
    denominator = results.get(target.denominator)
    value = None
    if numerator and denominator and numerator.seconds and denominator.seconds:
        value = numerator.median / denominator.median
    return TargetResult(target.label, value, target.at_least, target.at_most, "x")


# --------------------------------------------------------------------------
# Peak memory of a child process


def _status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} is missing from /proc/self/status")


def run_case_measuring_memory(env, case: Case) -> dict:
    """Run ``case`` once and return its time and peak RSS above the idle RSS.

    Linux resets the peak RSS (VmHWM) of a process when 5 is written to
    /proc/self/clear_refs, so the peak read after the run is the run's own.
    """
    env.cr.flush()
    env.invalidate_all()
    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
        clear_refs.write("5")
    idle_kb = _status_kb("VmRSS")
    with contextlib.closing(env.cr.savepoint()):
        started = time.perf_counter()
        result = case.run()
        env.cr.flush()
        elapsed = time.perf_counter() - started
    peak_kb = _status_kb("VmHWM")
    rows = case.rows(result) if case.rows else None
    if rows is None and _result_ids(result) is not None:
        rows = len(_result_ids(result))
    return {
        "seconds": elapsed,
        "peak_mb": (peak_kb - idle_kb) / 1024,
        "idle_mb": idle_kb / 1024,
        "rows": rows,
    }


# --------------------------------------------------------------------------
# Report


def format_seconds(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:,.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def format_ratio(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:,.2f}x" if value < 10 else f"{value:,.0f}x"
    return f"{value:,.1f}{unit}"


def report_lines(outcome: MeasurementResult, size: BenchSize) -> list[str]:
    """Return the report block of one measurement."""
    lines = [f"== {outcome.name}: {outcome.title}"]
    if outcome.skipped:
        lines.append(f"   skipped: {outcome.skipped}")
        return lines
    width = max((len(case.name) for case in outcome.cases), default=6)
    for case in outcome.cases:
        line = (
            f"   {case.name:<{width}}  median {format_seconds(case.median):>9}"
            f"  min {format_seconds(case.minimum):>9}"
            f"  max {format_seconds(case.maximum):>9}"
            f"  runs {len(case.seconds)}"
        )
        if case.rows is not None:
            line += f"  rows {case.rows:,}"
        if case.peak_mb:
            line += f"  peak +{case.median_peak_mb:,.0f} MB"
        if case.scale != 1:
            sample = statistics.median(case.seconds)
            line += f"  (sample {format_seconds(sample)} x {case.scale:g})"
        lines.append(line)
        lines.append(f"   {'':<{width}}  {case.description}")
    for name, reason in outcome.missing:
        lines.append(f"   {name:<{width}}  not measured: {reason}")
    if outcome.agreement:
        lines.append(f"   results: {outcome.agreement}")
    for target in outcome.targets:
        lines.append(
            f"   {target.label}: {format_ratio(target.value, target.unit)}"
            f"  (target {target.bound}: {target.status})"
        )
    lines.extend(f"   note: {note}" for note in outcome.notes)
    return lines


def summary_lines(outcomes: list[MeasurementResult], size: BenchSize) -> list[str]:
    lines = [f"== summary ({size.label}: {size.customers:,} customers)"]
    if size.label != TARGET_SIZE:
        lines.append(
            f"   targets are set for the {TARGET_SIZE} size; "
            "at this size they are for information"
        )
    for outcome in outcomes:
        if outcome.skipped:
            lines.append(f"   {outcome.name}: skipped")
            continue
        if not outcome.targets:
            lines.append(f"   {outcome.name}: measured, no target")
        for target in outcome.targets:
            lines.append(
                f"   {outcome.name}: {target.label} "
                f"{format_ratio(target.value, target.unit)} "
                f"(target {target.bound}: {target.status})"
            )
    return lines


def to_json(outcome: MeasurementResult) -> dict:
    return {
        "name": outcome.name,
        "title": outcome.title,
        "skipped": outcome.skipped,
        "agreement": outcome.agreement,
        "missing": [list(item) for item in outcome.missing],
        "notes": outcome.notes,
        "cases": [
            {
                "name": case.name,
                "description": case.description,
                "scale": case.scale,
                "seconds": case.seconds,
                "median": case.median,
                "min": case.minimum,
                "max": case.maximum,
                "rows": case.rows,
                "peak_mb": case.peak_mb,
            }
            for case in outcome.cases
        ],
        "targets": [
            {
                "label": target.label,
                "value": target.value,
                "bound": target.bound,
                "status": target.status,
            }
            for target in outcome.targets
        ],
    }


def dump_json(path, header: dict, outcomes: list[MeasurementResult]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(
            {**header, "measurements": [to_json(outcome) for outcome in outcomes]},
            handle,
            indent=2,
            default=str,
        )
