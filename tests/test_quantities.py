"""``costcalc.quantities``: the numbers people type on the command line, parsed exactly.

- ``parse_count``: budgets such as ``300M``, ``4.2e6``, ``1.5G``, ``1,000``, ``1_000`` -> an exact int; a count
  that is not a whole, non-negative number is refused with a message that quotes it;
- ``parse_values``: lists ``a,b,c`` and inclusive ranges ``start:stop:step`` (the stop is included when the
  steps land on it exactly, as ``0.25:1.0:0.05`` does: 16 values), mixed, in the order given, duplicates
  dropped; at most ``MAX_VALUES`` values.
"""

from __future__ import annotations

import math
import re
import tracemalloc
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import quantities
from costcalc.quantities import MAX_VALUES, parse_count, parse_multiplier, parse_resolution, parse_values

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


def test_max_values_is_ten_thousand() -> None:
    assert MAX_VALUES == 10_000  # a finer grid than that in one option is a typo; issue 12 bounds it


def test_a_range_of_exactly_max_values_is_accepted_and_one_more_is_not() -> None:
    assert len(parse_values(f"1:{MAX_VALUES}:1", parse_resolution)) == MAX_VALUES
    with pytest.raises(ValueError, match="gives 10,001 values, and an option gives at most 10,000: use a step of "
                                         "at least 2$"):
        parse_values(f"1:{MAX_VALUES + 1}:1", parse_resolution)


def test_a_huge_range_is_refused_before_it_is_built() -> None:
    # 10**12 values: counted, not generated (this would not finish otherwise); the message says what step fits
    with pytest.raises(ValueError, match=r"gives 1,000,000,000,000 values, .* use a step of at least 110$"):
        parse_values("0.000001:1000000:0.000001", parse_multiplier)
    with pytest.raises(ValueError, match=r"use a step of at least 0\.000076$"):
        parse_values("0.25:1:1e-9", parse_multiplier)


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


# --- parse_number: the one exact parser of numbers, bounded before it converts (issue 12) -------------------------
#
# A number has at most MAX_DIGITS significant digits and is 0 or from 10**-MAX_EXPONENT to below
# 10**MAX_EXPONENT; inf and nan are not numbers. Within those bounds it is exactly what Python's Fraction
# reads; beyond them it is a ValueError, found from the text, without building the number.


def significant_digits(value: Fraction) -> int:
    """How many significant digits ``value`` has in decimal (it must be a finite decimal): an oracle
    independent of the parser's own counting."""
    twos = fives = 0
    denominator = value.denominator
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    assert denominator == 1
    digits = str(abs(value.numerator) * 10 ** max(twos, fives) // value.denominator).rstrip("0")
    return len(digits)


def within_bounds(value: Fraction) -> bool:
    return value == 0 or (Fraction(1, 10**30) <= abs(value) < 10**30 and significant_digits(value) <= 30)


@st.composite
def decimal_texts(draw: st.DrawFn, exponents: st.SearchStrategy[int] = st.integers(-80, 80)) -> str:
    """Number-like text as people and files write it: signs, leading zeros, underscores, a point, an
    exponent, spaces around; sometimes malformed."""
    digits = st.text("0123456789", min_size=0, max_size=40)
    whole, decimals = draw(digits), draw(digits)
    if draw(st.booleans()) and len(whole) > 1:
        cut = draw(st.integers(1, len(whole) - 1))
        whole = whole[:cut] + "_" + whole[cut:]
    text = draw(st.sampled_from(["", "+", "-"])) + whole
    if draw(st.booleans()):
        text += "." + decimals
    if draw(st.booleans()):
        text += draw(st.sampled_from("eE")) + draw(st.sampled_from(["", "+", "-"])) + str(abs(draw(exponents)))
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", "\n"]))


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(decimal_texts(), st.text("0123456789.eE+-_ /xinf", max_size=30)))
def test_parse_number_is_pythons_fraction_within_the_bounds(text: str) -> None:
    try:
        expected: Fraction | None = Fraction(text)  # safe here: exponents in these texts are small
    except (ValueError, ZeroDivisionError):
        expected = None
    try:
        value = quantities.parse_number(text)
    except ValueError:
        value = None
    if expected is not None and "/" not in text:
        assert (value == expected) if within_bounds(expected) else value is None
    elif expected is not None:  # n/d: each side a number within the bounds, and so is the quotient
        top, bottom = (Fraction(side) for side in text.split("/"))
        sides_ok = within_bounds(top) and within_bounds(bottom) and within_bounds_in_size(expected)
        assert (value == expected) if sides_ok else value is None
    elif value is not None:  # costcalc reads a little more than Fraction: decimals on both sides of a '/'
        top, bottom = text.split("/")
        assert value == Fraction(top) / Fraction(bottom)


def within_bounds_in_size(value: Fraction) -> bool:
    return value == 0 or Fraction(1, 10**30) <= abs(value) < 10**30


@pytest.mark.parametrize("text, value", [
    ("0.75", Fraction(3, 4)), ("3/4", Fraction(3, 4)), (" 192 / 224 ", Fraction(6, 7)), ("1.5e12", 1_500_000_000_000),
    ("1_000", 1000), (".5", Fraction(1, 2)), ("5.", 5), ("-2", -2), ("0e999999999999", 0), ("0.5/0.25", 2),
    ("9" * 30, int("9" * 30)), ("9.99e29", Fraction(999, 100) * 10**29), ("1e-30", Fraction(1, 10**30)),
    ("1" + "0" * 29, 10**29), ("0." + "0" * 29 + "1", Fraction(1, 10**30)), ("0" * 5000 + "1", 1),
])
def test_parse_number_reads_numbers_within_the_bounds(text: str, value: Fraction) -> None:
    assert quantities.parse_number(text) == value


@pytest.mark.parametrize("text, message", [
    ("1e30", "'1e30' is too large"), ("1" + "0" * 30, "is too large"), ("1e999999999", "is too large"),
    ("1e-31", "'1e-31' is too small"), ("1e-999999999", "is too small"), ("1e" + "9" * 5000, "is too large"),
    ("1" * 31, "has 31 significant digits"), ("0." + "1" * 31, "has 31 significant digits"),
    ("1e20/1e-20", "is too large"), ("1/0", "divides by zero"), ("inf", "is not a number"),
    ("nan", "is not a number"), ("-inf", "is not a number"), ("1e", "is not a number"), ("١٢", "is not a number"),
    ("1__0", "is not a number"), ("0x10", "is not a number"), ("", "is not a number"), ("1/2/3", "is not a number"),
])
def test_parse_number_refuses_with_a_message_that_quotes_the_text(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        quantities.parse_number(text)
    assert f"'{quantities.short(text)}'" in str(caught.value)


@settings(max_examples=100, deadline=None)
@given(mantissa=st.text("0123456789", min_size=1, max_size=60).filter(lambda digits: digits[0] != "0"),
       exponent=st.one_of(st.integers(31, 10**18), st.integers(-(10**18), -61)))
def test_huge_exponents_are_refused_without_building_the_number(mantissa: str, exponent: int) -> None:
    # The work is measured as memory: Fraction("1e999999999") allocates a 400-megabyte integer; the parser
    # must refuse from the text alone, allocating a few kilobytes whatever the exponent.
    text = f"{mantissa[0]}.{mantissa[1:]}e{exponent}" if len(mantissa) > 1 else f"{mantissa}e{exponent}"
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="is too (large|small)|significant digits"):
            quantities.parse_number(text)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024


def test_long_texts_cost_memory_in_proportion_to_their_length_only() -> None:
    text = "0" * 1_000_000 + "1e-5"  # a megabyte of leading zeros, read as 1e-5
    tracemalloc.start()
    try:
        assert quantities.parse_number(text) == Fraction(1, 10**5)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * len(text)


@settings(max_examples=200, deadline=None)
@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_exact_number_reads_a_float_through_its_shortest_text(value: float) -> None:
    if value != value or value in (float("inf"), float("-inf")):
        with pytest.raises(quantities.NotANumber, match="finite"):
            quantities.exact_number(value)
        return
    exact = Fraction(repr(value))
    if within_bounds_in_size(exact):
        assert quantities.exact_number(value) == exact  # 0.1 is 1/10, not the binary float nearest to it
    else:
        with pytest.raises(ValueError, match="is too (large|small)"):
            quantities.exact_number(value)


@pytest.mark.parametrize("value, message", [
    (10**30, f"{10**30} is too large"), (-(10**400), "a number of 401 digits is too large"),
    (True, "expected a number, got true"), ([1], "expected a number, got list"), (None, "got NoneType"),
])
def test_exact_number_refuses_what_is_not_a_number_within_the_bounds(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        quantities.exact_number(value)


@settings(max_examples=100, deadline=None)
@given(value=st.integers(-(10**1200), 10**1200))
def test_shown_integer_counts_digits_exactly_without_converting(value: int) -> None:
    shown = quantities.shown_integer(value)
    if value.bit_length() <= 100:
        assert shown == str(value)
    else:
        assert shown == f"a number of {len(str(abs(value))):,} digits"


def test_integers_in_files_are_bounded_before_they_are_converted() -> None:
    assert quantities.bounded_int("-" + "9" * 400) == -int("9" * 400)
    with pytest.raises(ValueError, match="an integer of 5,001 digits"):  # leading zeros count, as in Python's limit
        quantities.bounded_int("0" * 5000 + "7")
    with pytest.raises(ValueError, match="an integer of 401 digits; costcalc reads integers of at most 400 digits"):
        quantities.bounded_int("9" * 401)
    assert quantities.find_long_integer('{"a": 1,\n "b": ' + "9" * 401 + "}") == (2, 7, 401)
    assert quantities.find_long_integer("9" * 400) is None


def test_a_fraction_costcalc_wrote_may_have_long_sides() -> None:
    # format_fraction writes an alpha typed as a ratio of long decimals as n/d, whose sides are longer than a
    # typed number may be
    alpha = quantities.parse_number("1.23456789012345678901234567891e-10/3.14159265358979323846264338327")
    assert len(str(alpha.denominator)) > 30
    text = f"{alpha.numerator}/{alpha.denominator}"
    assert quantities.parse_exact_fraction(text) == alpha
    assert quantities.parse_exact_fraction("0.75") == Fraction(3, 4)
    with pytest.raises(ValueError, match="is too large"):
        quantities.parse_exact_fraction("1" + "0" * 40 + "/1")


@pytest.mark.parametrize("text, least, value", [("0", 0, 0), ("+5", 0, 5), (" 7 ", 1, 7), ("-0", 0, 0),
                                                 (str(quantities.MAX_WHOLE), 1, quantities.MAX_WHOLE)])
def test_parse_whole(text: str, least: int, value: int) -> None:
    assert quantities.parse_whole(text, least) == value


@pytest.mark.parametrize("text, message", [
    ("-1", "must be at least 0"), (str(2**53), "is more than 9,007,199,254,740,991"),
    ("9" * 5000, "is more than 9,007,199,254,740,991"), ("-" + "9" * 5000, "must be at least 0"),
    ("1.5", "is not a whole number"), ("1e3", "is not a whole number"), ("٣", "is not a whole number"),
])
def test_parse_whole_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        quantities.parse_whole(text)


def test_resolutions_are_bounded_like_whole_numbers() -> None:
    assert parse_resolution(str(quantities.MAX_WHOLE)) == quantities.MAX_WHOLE
    with pytest.raises(ValueError, match="is more than 9,007,199,254,740,991 pixels"):
        parse_resolution("9" * 5000)


@pytest.mark.parametrize("text", ["1e999999999", "4.2e-999999999", "1" * 31])
def test_every_parser_of_quantities_refuses_an_unbounded_number(text: str) -> None:
    for parse, written in ((parse_count, text), (parse_count, text + "M"), (parse_multiplier, text),
                           (quantities.parse_duration, text + "ms"), (quantities.parse_size, text + "MB")):
        with pytest.raises(ValueError, match="too (large|small)|significant digits|not a whole number") as caught:
            parse(written)
        assert f"'{written}'" in str(caught.value)  # the message quotes what was typed, suffix and all


@settings(max_examples=200, deadline=None)
@given(span=st.fractions(Fraction(1, 1000), 100, max_denominator=1000), most=st.integers(2, 20_000),
       whole=st.booleans())
def test_the_suggested_step_fits(span: Fraction, most: int, whole: bool) -> None:
    if whole:
        span = Fraction(math.ceil(span))
    step = Fraction(quantities.fitting_step(span, most, whole))
    exact = span / (most - 1)  # the finest step that fits
    assert int(span / step) + 1 <= most  # the range with that step has few enough values,
    if whole:  # and it is not much coarser than needed: the next whole number, or two significant digits
        assert step == max(1, math.ceil(exact))
    else:
        assert exact <= step <= exact * Fraction(11, 10)
