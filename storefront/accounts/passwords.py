"""What makes a password acceptable: long enough and not one everybody guesses first."""

from __future__ import annotations

from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 128

# Passwords that top every leaked-password list; refusing them costs users nothing.
_COMMON = {
    "1234567890", "12345678910", "0123456789", "1111111111", "0000000000", "1q2w3e4r5t",
    "qwertyuiop", "password1", "password12", "password123", "password1234", "passw0rd123",
    "iloveyou12", "letmein123", "welcome123", "abcdefghij", "abc1234567", "qwerty1234",
    "qwerty12345", "asdfghjkl1", "zaq12wsxcde", "football12", "baseball12", "superman12",
    "trustno1234", "skincare123", "changeme123", "administrator", "admin12345",
}


def check_password_strength(password: str, email: str = "", name: str = "") -> str | None:
    """A sentence saying what is wrong with the password, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters for your password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters for your password."
    lowered = password.lower()
    if lowered in _COMMON or len(set(lowered)) < 4:
        return "This password is too easy to guess. Try a few unrelated words together."
    local_part = email.split("@", 1)[0].lower()
    if lowered in {email.lower(), local_part, name.strip().lower()}:
        return "Your password must not be your e-mail address or your name."
    return None


# -- hashing ---------------------------------------------------------------------------
# PASSWORD_HASH_METHOD is werkzeug's method string: "scrypt" (N=2**15, r=8, p=1) unless
# the operator sets stronger parameters ("scrypt:65536:8:1"); the tests set a cheap one.


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(stored_hash: str, password: str) -> bool:
    return check_password_hash(stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with other parameters than the configured ones
    (the operator raised the cost): it is hashed again at the next successful log-in."""
    return stored_hash.split("$", 1)[0] != _method_in_full(
        current_app.config["PASSWORD_HASH_METHOD"])


def check_unknown_password(password: str) -> None:
    """Spend what checking a real password costs: an unknown e-mail address takes as long
    to refuse as a wrong password."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)


@cache
def _method_in_full(method: str) -> str:
    """"scrypt" -> "scrypt:32768:8:1", as werkzeug writes it at the start of a hash."""
    return generate_password_hash("", method=method).split("$", 1)[0]


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anyone's password", method=method)
