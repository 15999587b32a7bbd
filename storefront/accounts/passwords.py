"""What makes a password acceptable: long enough and not one everybody guesses first."""

from __future__ import annotations

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
