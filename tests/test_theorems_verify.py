"""The standard check registry, TheoremReport, and the ``rdp verify`` command end to end."""

import json

import pytest

from rdp.cli.main import main
from rdp.theorems import TheoremReport
from rdp.theorems.standard import select, standard_checks


def test_registry_names_match_report_names():
    checks = standard_checks()
    assert len(checks) >= 30
    for prefix in ("yan2021/", "freirich2021/", "blau-michaeli2019/", "symbolic/"):
        assert any(name.startswith(prefix) for name in checks)
    for name in (
        "freirich2021/distortion-perception[gaussian-3d]",
        "symbolic/gaussian-ratio-limits",
    ):
        assert checks[name]().name == name


def test_select_rejects_unknown_names():
    assert set(select(["symbolic/"])) == {n for n in standard_checks() if n.startswith("symbolic/")}
    with pytest.raises(ValueError, match="matches no standard check"):
        select(["no-such-theorem"])


def test_report_pass_logic():
    kwargs = dict(name="t", statement="s", reference="r", instance="i", quantities={})
    assert TheoremReport.from_deviation(deviation=1e-10, tolerance=1e-9, **kwargs).passed
    assert not TheoremReport.from_deviation(deviation=1e-8, tolerance=1e-9, **kwargs).passed
    assert not TheoremReport.from_deviation(deviation=float("nan"), tolerance=1.0, **kwargs).passed
    assert not TheoremReport.from_deviation(
        deviation=0.0, tolerance=0.0, strict=True, **kwargs
    ).passed
    assert set(TheoremReport.from_deviation(deviation=0, tolerance=0, **kwargs).to_dict()) >= {
        "name",
        "statement",
        "reference",
        "instance",
        "quantities",
        "deviation",
        "tolerance",
        "passed",
    }


def test_verify_table_in_process(capsys):
    status = main(["verify", "--only", "freirich2021", "--only", "zero-rate-boundary"])
    out = capsys.readouterr().out
    assert status == 0
    assert "freirich2021/distortion-perception[gaussian-3d]" in out
    assert "PASS" in out and "FAIL" not in out.split("\n")[-2]


def test_verify_bad_only_exits_2(capsys):
    assert main(["verify", "--only", "nothing-like-this"]) == 2
    assert "matches no standard check" in capsys.readouterr().err


def test_verify_failure_exits_1(monkeypatch, capsys):
    import rdp.theorems.standard as standard

    def failing():
        return TheoremReport.from_deviation(
            name="fake/fails",
            statement="",
            reference="",
            instance="",
            quantities={},
            deviation=1.0,
            tolerance=0.0,
        )

    monkeypatch.setattr(standard, "standard_checks", lambda: {"fake/fails": failing})
    assert main(["verify"]) == 1
    assert "FAILED: fake/fails" in capsys.readouterr().out


def _verify_json(extra: list[str], capsys) -> dict:
    """Run ``rdp verify --json *extra`` in process; assert exit 0, parse stdout.

    (``python -m rdp`` itself is exercised by the subprocess tests of test_cli.py.)
    """
    assert main(["verify", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_verify_json_end_to_end(capsys):
    """The whole standard set through ``rdp verify --json``: all pass, valid JSON."""
    payload = _verify_json([], capsys)
    assert payload["passed"] is True
    assert payload["checks"] == len(standard_checks())
    names = {r["name"] for r in payload["reports"]}
    assert "yan2021/cost-of-perfect-perception[gaussian]" in names
    ratios = next(
        r for r in payload["reports"] if r["name"] == "yan2021/cost-of-perfect-perception[laplace]"
    )["quantities"]["levels"]
    assert [row["K"] for row in ratios] == list(range(2, 17))
    assert all(abs(row["ratio"] - 2) < 2 * 3e-4 for row in ratios)  # D*(K) from a grid DP


def test_verify_json_subset(capsys):
    payload = _verify_json(["--only", "information-theoretic"], capsys)
    assert payload["checks"] == 1 and payload["passed"] is True


def test_verify_out_writes_the_json_report(tmp_path, capsys):
    target = tmp_path / "nested" / "verify.json"
    assert main(["verify", "--only", "symbolic/orthogonality", "--out", str(target)]) == 0
    assert "PASS" in capsys.readouterr().out
    report = json.loads(target.read_text())
    assert report["passed"] is True and report["checks"] == 1
