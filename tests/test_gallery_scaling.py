"""The scaling section's words: each family's exchange rates and who wins at equal count, from the table alone."""

from __future__ import annotations

from pixparam.gallery.scaling import exchange_verdict, rate_ranges


def _row(family: str, n: int, rate: float, capped: bool = False) -> dict:
    return {"family": family, "n_params": n, "rate": rate, "capped": capped, "bound": "at least" if capped else ""}


TABLE = [
    _row("siren", 288, 3.89),
    _row("siren", 983, 6.90),
    _row("siren", 2990, 6.5, capped=True),  # a bound: counted nowhere
    _row("hashgrid", 997, 4.16),
    _row("hashgrid", 300, float("nan")),  # no rate at all
    _row("gaussians", 296, 1.37),
    _row("gaussians", 1000, 0.74),
    _row("gaussians", 3000, 0.55),
    _row("relu", 10000, 0.81),
    _row("grid", 300, 0.2, capped=True),
]
FAMILIES = ["grid", "gaussians", "hashgrid", "siren", "relu"]


def test_each_family_is_named_once_on_the_side_it_falls():
    assert exchange_verdict(TABLE, FAMILIES) == (
        "above 1 (a network beats pixels at equal count) at every exact budget for hashgrid and siren; "
        "below 1 (pixels win) at every exact budget for relu; "
        "gaussians above 1 at 296 and below 1 at 1.0k and 3.0k"
    )


def test_only_bounds_say_so():
    rows = [_row("siren", 300, 5.0, capped=True), _row("siren", 900, 6.0, capped=True), _row("wire", 300, 2.0)]
    said = "no exact rate: 2 rates, each only a bound where the pixel grid is capped"
    assert exchange_verdict(rows, ["siren"]) == said


def test_rate_ranges_name_the_lowest_and_highest_and_a_lone_rate_as_such():
    assert rate_ranges(TABLE, FAMILIES) == [
        "gaussians 0.55 (at 3.0k parameters) to 1.37 (at 296)",
        "hashgrid 4.16 (at 997 parameters, its only exact rate)",
        "siren 3.89 (at 288 parameters) to 6.90 (at 983)",
        "relu 0.81 (at 10k parameters, its only exact rate)",
    ]
