"""Masking of phone numbers and e-mail addresses before anything is logged."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_PHONE = re.compile(r"\+\d{7,15}")


def mask_phone(phone: str) -> str:
    """`+4915112345656` → `+49******56`; the length is hidden too."""
    if len(phone) < 6:
        return "*" * len(phone)
    return f"{phone[:3]}******{phone[-2:]}"


def mask_email(email: str) -> str:
    """`jane@example.com` → `j***@example.com`."""
    local, sep, domain = email.partition("@")
    if not sep:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_address(address: str) -> str:
    """Mask an address of either kind."""
    return mask_email(address) if "@" in address else mask_phone(address)


def redact(text: str) -> str:
    """Mask every phone number and e-mail address found in free text."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
