"""Contacts for a call-back: usable ones are normalised, others asked again with an example."""

from __future__ import annotations

import pytest

from attune.handoff.contacts import (
    EMAIL_EXAMPLE,
    MAX_CONTACT_TRIES,
    check_contact,
    check_email,
    check_phone,
    contact_example,
    format_phone,
)


@pytest.mark.parametrize(
    "typed, normalised",
    [
        ("robin@gmail.com", "robin@gmail.com"),
        ("  Robin.Lee+attune@Mail.Harbour.CA ", "Robin.Lee+attune@mail.harbour.ca"),
        ("<sam_o'neil@sympatico.ca>", "sam_o'neil@sympatico.ca"),
        ("mailto:kai@proton.me", "kai@proton.me"),
        ("kai@proton.me.", "kai@proton.me"),
    ],
)
def test_a_usable_email_is_normalised(typed, normalised):
    result = check_email(typed)
    assert result.ok
    assert result.value == normalised


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("", "empty"),
        ("robin at gmail dot com", "spaces"),
        ("robin@gmail", "format"),
        ("robin@@gmail.com", "format"),
        ("robin.@gmail.com", "format"),
        ("ro..bin@gmail.com", "format"),
        ("@gmail.com", "format"),
        ("robin@-gmail.com", "format"),
        ("robin@gmail.c", "format"),
        ("416-555-0123", "format"),
        ("name@example.com", "example"),
        ("robin@harbourlight.test", "example"),
        ("robin@gmial.com", "typo"),
        ("robin@hotmail.con", "typo"),
        ("r" * 250 + "@gmail.com", "too_long"),
    ],
)
def test_a_bad_email_is_asked_again_with_an_example(typed, problem):
    result = check_email(typed)
    assert not result.ok
    assert result.value is None
    assert result.problem == problem
    assert result.example == EMAIL_EXAMPLE
    assert result.message.endswith("?")
    if problem not in ("example", "typo"):
        assert EMAIL_EXAMPLE in result.message


def test_a_typo_suggests_the_likely_address():
    assert "robin@gmail.com" in check_email("robin@gmial.com").message
    assert "sam@hotmail.com" in check_email("sam@hotmail.con").message


@pytest.mark.parametrize(
    "typed",
    ["416-979-1234", "(416) 979-1234", "416.979.1234", "4169791234", "1 416 979 1234",
     "+1 416 979 1234", "011 1 416 979 1234"],
)
def test_canadian_numbers_in_any_common_form_become_e164(typed):
    result = check_phone(typed, "CA")
    assert result.value == "+14169791234"
    assert format_phone(result.value) == "+1 416-979-1234"


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("979-1234", "missing_digits"),
        ("416-979-12345", "too_many_digits"),
        ("116-979-1234", "format"),
        ("416-079-1234", "format"),
        ("911", "missing_digits"),
        ("call me maybe", "letters"),
        ("416*979*1234", "format"),
        ("416-555-0123", "example"),
        ("", "empty"),
        ("4" * 61, "too_long"),
    ],
)
def test_a_bad_canadian_number_is_asked_again_with_an_example(typed, problem):
    result = check_phone(typed, "CA")
    assert not result.ok
    assert result.problem == problem
    assert result.example == "416-555-0123"
    if problem != "example":
        assert "416-555-0123" in result.message


def test_missing_digits_asks_for_the_area_code():
    assert "area code" in check_phone("979-1234", "CA").message


def test_an_international_number_is_accepted_from_a_visitor_abroad():
    assert check_phone("+33 6 12 34 56 78", "CA").value == "+33612345678"
    assert check_phone("+44 7911 123456", "CA").value == "+447911123456"


def test_uk_numbers_follow_uk_rules():
    assert check_phone("07911 123456", "GB").value == "+447911123456"
    assert check_phone("020 7946 1234", "GB").value == "+442079461234"
    assert check_phone("+44 (0)20 7946 1234", "GB").value == "+442079461234"
    assert check_phone("00 44 7911 123456", "GB").value == "+447911123456"
    assert check_phone("07700 900123", "GB").problem == "example"
    assert check_phone("0791 123", "GB").problem == "missing_digits"


def test_texts_need_a_mobile_where_the_number_shows_it():
    landline = check_phone("020 7946 1234", "GB", for_texts=True)
    assert landline.problem == "not_mobile"
    assert "phone call instead" in landline.message
    assert check_phone("0412 345 678", "AU", for_texts=True).value == "+61412345678"
    assert check_phone("02 9876 5432", "AU", for_texts=True).problem == "not_mobile"
    assert check_phone("02 9876 5432", "AU").value == "+61298765432"


def test_a_country_without_national_rules_asks_for_the_country_code():
    result = check_phone("612 345 678", "NZ")
    assert result.problem == "format"
    assert "+" in result.message
    assert check_phone("+64 21 123 4567", "NZ").value == "+64211234567"


def test_the_method_decides_which_check_and_example_apply():
    assert check_contact("email", "robin@gmail.com", "CA").value == "robin@gmail.com"
    assert check_contact("call", "416-979-1234", "CA").value == "+14169791234"
    assert check_contact("text", "robin@gmail.com", "CA").problem == "letters"
    assert contact_example("email", "CA") == EMAIL_EXAMPLE
    assert contact_example("text", "US") == "212-555-0123"
    with pytest.raises(ValueError):
        check_contact("fax", "416-979-1234", "CA")


def test_the_last_bad_try_says_to_offer_the_booking_link():
    tries = [check_contact("email", "not an email", "CA", attempt=n) for n in (1, 2, 3)]
    assert [t.give_up for t in tries] == [False, False, True]
    assert MAX_CONTACT_TRIES == 3
    assert not check_contact("email", "robin@gmail.com", "CA", attempt=3).give_up


def test_every_message_is_short_and_kind():
    samples = [check_email(x) for x in ("", "a b", "x@y", "a@example.com", "a@gmial.com")]
    samples += [check_phone(x, c, for_texts=True) for x in ("", "12", "abc", "02 9876 5432")
                for c in ("CA", "GB", "AU")]
    for result in samples:
        assert 0 < len(result.message.split()) <= 30
        assert "invalid" not in result.message.lower()
        assert "wrong" not in result.message.lower()
