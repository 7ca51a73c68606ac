"""``costcalc.quantities``: the numbers people type on the command line, parsed exactly.

- ``parse_count``: budgets such as ``300M``, ``4.2e6``, ``1.5G``, ``1,000``, ``1_000`` -> an exact int; a count
  that is not a whole, non-negative number is refused with a message that quotes it;
- ``parse_values``: lists ``a,b,c`` and inclusive ranges ``start:stop:step`` (the stop is included when the
  steps land on it exactly, as ``0.25:1.0:0.05`` does: 16 values), mixed, in the order given, duplicates
  dropped; at most ``MAX_VALUES`` values.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import quantities
from costcalc.multipliers import parse_multiplier
from costcalc.quantities import MAX_VALUES, parse_count, parse_resolution, parse_values

# --- parse_count --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("300M", 300_000_000),
    ("4.2e6", 4_200_000),
    ("4.2E6", 4_200_000),
    ("1.5G", 1_500_000_000),
    ("569M", 569_000_000),
    ("568740352", 568_740_352),
    ("1,000", 1_000),
    ("1_000", 1_000),
    ("4,209,088", 4_209_088),
    ("300K", 300_000),
    ("300k", 300_000),  # lower-case k: the SI symbol for kilo is k
    ("2T", 2_000_000_000_000),
    ("0.5K", 500),
    ("1e3K", 1_000_000),
    (" 300M ", 300_000_000),
    ("0", 0),
    ("+5", 5),
])
def test_parse_count(text: str, expected: int) -> None:
    value = parse_count(text)
    assert value == expected
    assert type(value) is int


def test_parse_count_is_exact_beyond_float_precision() -> None:
    # 2**53 + 1 is not a float; the count must not pass through one.
    assert parse_count("9007199254740993") == 2**53 + 1
    assert parse_count("9.007199254740993e15") == 2**53 + 1
    assert parse_count("1.000000001G") == 1_000_000_001  # a float would give 1000000001.0000001 or so


@pytest.mark.parametrize("text, message", [
    ("", "is not a count"),
    ("   ", "is not a count"),
    ("abc", "is not a count"),
    ("M", "is not a count"),
    ("300MM", "is not a count"),
    ("1/0", "is not a count"),
    ("nan", "is not a count"),
    ("inf", "is not a count"),
    ("1.5", "not a whole number"),
    ("1.5g", "write the suffix in capitals"),  # m is milli in SI: lower-case M, G, T are refused, not guessed
    ("300m", "write the suffix in capitals"),
    ("1,5M", "commas may only group thousands"),  # a decimal comma must not become 15 M
    ("1,0000", "commas may only group thousands"),
    ("1.2345678K", "not a whole number"),
    ("1.000000000000000001G", "not a whole number"),
    ("1/2", "not a whole number"),
    ("-3", "must not be negative"),
    ("-3M", "must not be negative"),
])
def test_parse_count_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_count(text)
    assert f"'{text}'" in str(caught.value)  # the message quotes what was typed


def test_parse_count_suggests_the_accepted_forms() -> None:
    with pytest.raises(ValueError, match=r"300M, 4\.2e6, 1\.5G"):
        parse_count("lots")


@settings(max_examples=50, deadline=None)
@given(value=st.integers(0, 10**15), suffix=st.sampled_from(["", "K", "M", "G", "T"]))
def test_parse_count_round_trips_whole_numbers(value: int, suffix: str) -> None:
    scale = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}[suffix]
    assert parse_count(f"{value}{suffix}") == value * scale
    assert parse_count(f"{value:,}{suffix}") == value * scale
    assert parse_count(f"{value:_}{suffix}") == value * scale


# --- parse_values: lists ------------------------------------------------------------------------------------------


def test_list_keeps_the_order_given() -> None:
    assert parse_values("1,0.75,0.5,0.25", parse_multiplier) == [
        Fraction(1), Fraction(3, 4), Fraction(1, 2), Fraction(1, 4)]
    assert parse_values("224, 192 ,160,128", parse_resolution) == [224, 192, 160, 128]


def test_list_accepts_fractions() -> None:
    assert parse_values("1,6/7,5/7", parse_multiplier) == [Fraction(1), Fraction(6, 7), Fraction(5, 7)]


def test_single_value() -> None:
    assert parse_values("0.75", parse_multiplier) == [Fraction(3, 4)]
    assert parse_values("224", parse_resolution) == [224]


def test_duplicates_are_dropped_keeping_the_first() -> None:
    assert parse_values("1,0.5,1,2/4,0.50", parse_multiplier) == [Fraction(1), Fraction(1, 2)]
    assert parse_values("224,192,224", parse_resolution) == [224, 192]


@pytest.mark.parametrize("text", ["", "1,,2", "1,", ",1", " , "])
def test_empty_item_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="empty item"):
        parse_values(text, parse_multiplier)


@pytest.mark.parametrize("text, message", [
    ("1,x", "'x' is not a number"),
    ("1,0", "'0' must be greater than 0"),
    ("1,-0.5", "must be greater than 0"),
])
def test_bad_multiplier_in_a_list(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_values(text, parse_multiplier)


@pytest.mark.parametrize("text, message", [
    ("224,19.5", "'19.5' is not a resolution in pixels"),
    ("224,0", "must be at least 1 pixel"),
    ("224,-32", "must be at least 1 pixel"),
])
def test_bad_resolution_in_a_list(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_values(text, parse_resolution)


# --- parse_values: ranges -----------------------------------------------------------------------------------------


def test_range_includes_its_exact_endpoint() -> None:
    values = parse_values("0.25:1.0:0.05", parse_multiplier)
    assert len(values) == 16
    assert values[0] == Fraction(1, 4) and values[-1] == Fraction(1)
    assert values == [Fraction(1, 4) + Fraction(1, 20) * i for i in range(16)]
    assert all(isinstance(value, Fraction) for value in values)  # exact: 0.05 is 1/20, not a float


def test_pixel_range() -> None:
    assert parse_values("128:224:32", parse_resolution) == [128, 160, 192, 224]
    assert all(type(value) is int for value in parse_values("128:224:32", parse_resolution))


def test_range_stops_before_a_stop_it_does_not_land_on() -> None:
    assert parse_values("0.25:1:0.3", parse_multiplier) == [Fraction(1, 4), Fraction(11, 20), Fraction(17, 20)]
    assert parse_values("96:100:3", parse_resolution) == [96, 99]
    assert parse_values("128:130:5", parse_resolution) == [128]


def test_range_of_one_value() -> None:
    assert parse_values("224:224:1", parse_resolution) == [224]
    assert parse_values("0.5:0.5:0.1", parse_multiplier) == [Fraction(1, 2)]


def test_range_with_fraction_bounds() -> None:
    assert parse_values("4/7:1:1/7", parse_multiplier) == [Fraction(4, 7), Fraction(5, 7), Fraction(6, 7), Fraction(1)]


def test_the_issues_benchmark_ranges() -> None:
    # issue 4's benchmark: --alpha 0.25:1.0:0.0025 --resolution 96:320:1 is 301 x 225 = 67,725 points
    assert len(parse_values("0.25:1.0:0.0025", parse_multiplier)) == 301
    assert len(parse_values("96:320:1", parse_resolution)) == 225


def test_lists_and_ranges_mix_in_order_without_duplicates() -> None:
    assert parse_values("1,0.25:0.75:0.25", parse_multiplier) == [
        Fraction(1), Fraction(1, 4), Fraction(1, 2), Fraction(3, 4)]
    assert parse_values("0.5,0.25:1:0.25,2", parse_multiplier) == [
        Fraction(1, 2), Fraction(1, 4), Fraction(3, 4), Fraction(1), Fraction(2)]
    assert parse_values("224,128:224:32,96", parse_resolution) == [224, 128, 160, 192, 96]


@pytest.mark.parametrize("text", ["1:0.5:0.1", "0.75:0.25:0.25"])
def test_range_stop_below_start_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="stop is below its start"):
        parse_values(text, parse_multiplier)


def test_pixel_range_stop_below_start_is_refused() -> None:
    with pytest.raises(ValueError, match="stop is below its start"):
        parse_values("224:128:32", parse_resolution)


@pytest.mark.parametrize("text", ["128:224", "1:2:3:4", "0.25:1.0:0.05:0.1", "1:"])
def test_range_needs_three_parts(text: str) -> None:
    with pytest.raises(ValueError, match="is not a range: write start:stop:step"):
        parse_values(text, parse_resolution if "." not in text else parse_multiplier)


@pytest.mark.parametrize("text, message", [
    ("0.25:1:0", "'0' must be greater than 0"),  # a step of 0 would never end
    ("0.25:1:-0.05", "must be greater than 0"),
    ("0.25:1:x", "'x' is not a number"),
    (":1:0.25", "is not a number"),
    ("0.25::0.25", "is not a number"),
])
def test_bad_multiplier_step_or_bound(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_values(text, parse_multiplier)


@pytest.mark.parametrize("text, message", [
    ("128:224:0", "must be at least 1 pixel"),
    ("128:224:-32", "must be at least 1 pixel"),
    ("128:224:0.5", "'0.5' is not a resolution in pixels"),
    ("128.5:224:32", "is not a resolution in pixels"),
])
def test_bad_pixel_step_or_bound(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_values(text, parse_resolution)


# --- parse_values: at most MAX_VALUES -----------------------------------------------------------------------------


def test_max_values_is_a_million() -> None:
    assert MAX_VALUES == 1_000_000


def test_a_range_of_exactly_max_values_is_accepted_and_one_more_is_not() -> None:
    assert len(parse_values(f"1:{MAX_VALUES}:1", parse_resolution)) == MAX_VALUES
    with pytest.raises(ValueError, match="gives more than 1,000,000 values"):
        parse_values(f"1:{MAX_VALUES + 1}:1", parse_resolution)


def test_a_huge_range_is_refused_before_it_is_built() -> None:
    # 10**12 values: counted, not generated (this would not finish otherwise)
    with pytest.raises(ValueError, match="more than 1,000,000 values"):
        parse_values("0.000001:1000000:0.000001", parse_multiplier)


def test_lists_and_mixed_values_count_towards_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quantities, "MAX_VALUES", 10)
    assert len(parse_values(",".join(str(n) for n in range(1, 11)), parse_resolution)) == 10
    with pytest.raises(ValueError, match="more than 10 values"):
        parse_values(",".join(str(n) for n in range(1, 12)), parse_resolution)
    assert len(parse_values("1:10:1", parse_resolution)) == 10
    with pytest.raises(ValueError, match="more than 10 values"):
        parse_values("1:6:1,7:12:1", parse_resolution)  # two ranges of 6: each under the limit, 12 together
    with pytest.raises(ValueError, match="more than 10 values"):
        parse_values("100,1:10:1", parse_resolution)


@settings(max_examples=50, deadline=None)
@given(start=st.integers(1, 400), count=st.integers(1, 50), step=st.integers(1, 40), slack=st.integers(0, 39))
def test_pixel_ranges_match_pythons_range(start: int, count: int, step: int, slack: int) -> None:
    stop = start + (count - 1) * step + min(slack, step - 1)  # the last value is start + (count - 1) * step
    assert parse_values(f"{start}:{stop}:{step}", parse_resolution) == list(range(start, stop + 1, step))


@settings(max_examples=50, deadline=None)
@given(start=st.integers(1, 200), count=st.integers(1, 60), step=st.integers(1, 50))
def test_multiplier_ranges_land_exactly_on_their_stop(start: int, count: int, step: int) -> None:
    # in hundredths: start/100 : (start + (count - 1) * step)/100 : step/100
    stop = start + (count - 1) * step
    text = f"{Fraction(start, 100)}:{Fraction(stop, 100)}:{Fraction(step, 100)}"
    values = parse_values(text, parse_multiplier)
    assert len(values) == count
    assert values[-1] == Fraction(stop, 100)
