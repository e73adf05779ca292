"""``rdp verify``: run the library's standard theorem checks and print a table (or JSON)."""

from __future__ import annotations

import argparse
import sys
import time
import warnings

from rdp.cli._checks import prepare_output
from rdp.cli._json import add_json_arguments, dumps, wants_json
from rdp.exceptions import UnconvergedWarning

DESCRIPTION = """\
Run the standard set of theorem checks (rdp.theorems.standard): Yan et al. 2021
(perfect perception costs exactly 2·D*(K)), Freirich et al. 2021 (the
distortion-perception function), Blau & Michaeli 2019 (properties of R(D,P), with
Shannon's R(D) and D_max(P) computed independently), every closed form against R
computed another way (brute force, the certified solver on discretisations, SLSQP,
quadrature) and the sympy derivations. Prints one row per check: name, paper, deviation,
tolerance, PASS/FAIL. Exit status 1 when any check fails.
"""

EPILOG = """\
examples:
  rdp verify
  rdp verify --only yan2021 --only symbolic
  rdp verify --only "cost-of-perfect-perception[gaussian]" --json
  rdp verify --list
  rdp verify --out results/verify.json   # the table on screen, the JSON report in a file
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``verify`` subcommand."""
    parser = subparsers.add_parser(
        "verify",
        help="run the standard theorem checks",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--only",
        metavar="NAME",
        action="append",
        default=[],
        help="run only checks whose name contains NAME (repeatable)",
    )
    add_json_arguments(parser)
    parser.add_argument("--list", action="store_true", help="list the check names and exit")
    parser.add_argument(
        "--out", metavar="FILE", help="also write the JSON report to FILE (parents are created)"
    )
    parser.set_defaults(handler=run)


def _paper(name: str) -> str:
    return {
        "yan2021": "Yan et al. ICML 2021",
        "freirich2021": "Freirich et al. NeurIPS 2021",
        "blau-michaeli2019": "Blau & Michaeli ICML 2019",
        "symbolic": "sympy derivation",
        "closed-form": "closed form vs independent",
    }.get(name.split("/")[0], "")


def run(args: argparse.Namespace) -> int:
    """Handler of ``rdp verify``; 0 when every selected check passes, else 1."""
    from rdp.theorems.standard import select

    checks = select(args.only)
    if args.list:
        sys.stdout.write("\n".join(checks) + "\n")
        return 0
    out = prepare_output(args.out) if args.out else None  # before the checks run
    start = time.perf_counter()
    reports = []
    timings = []
    for check in checks.values():
        began = time.perf_counter()
        with warnings.catch_warnings():
            # a check reads certified bounds itself (e.g. the Gaussian KL(p_X||p_X^) problem,
            # status 'bounds') and reports PASS/FAIL on them: the warning would be noise here
            warnings.simplefilter("ignore", UnconvergedWarning)
            reports.append(check())
        timings.append(time.perf_counter() - began)
    elapsed = time.perf_counter() - start
    failed = [r.name for r in reports if not r.passed]
    payload = {
        "passed": not failed,
        "checks": len(reports),
        "failed": failed,
        "seconds": elapsed,
        "reports": [{**r.to_dict(), "seconds": t} for r, t in zip(reports, timings, strict=True)],
    }
    if out is not None:
        from rdp._paths import write_or_fallback

        text = dumps(payload, args.json_strict, indent=2) + "\n"
        write_or_fallback(out, lambda target: target.write_text(text), prefix="rdp-verify")
    if wants_json(args):
        sys.stdout.write(dumps(payload, args.json_strict, indent=2) + "\n")
    else:
        width = max(len(r.name) for r in reports)
        header = f"{'check':<{width}}  {'paper':<28}  {'deviation':>10}  {'tolerance':>10}  result"
        lines = [header, "-" * len(header)]
        for r in reports:
            relation = "<" if r.strict else "<="
            lines.append(
                f"{r.name:<{width}}  {_paper(r.name):<28}  {r.deviation:>10.3e}  "
                f"{relation}{r.tolerance:>9.3e}  {'PASS' if r.passed else 'FAIL'}"
            )
        lines.append("-" * len(header))
        lines.append(
            f"{len(reports) - len(failed)}/{len(reports)} passed in {elapsed:.1f} s"
            + (f"; FAILED: {', '.join(failed)}" if failed else "")
        )
        sys.stdout.write("\n".join(lines) + "\n")
    return 1 if failed else 0
