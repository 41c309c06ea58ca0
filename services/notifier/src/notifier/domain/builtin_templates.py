"""The built-in message templates (English and German); tenants override them per locale."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateSource:
    """A message template: subject (e-mail), plain text and HTML (e-mail)."""

    text: str
    subject: str = ""
    html: str = ""
    origin: str = "builtin:en"


_SMS_EN = {
    "confirmed": "{{ brand }}: we have your order {{ external_id }}. Track it: {{ tracking_url }}",
    "out_for_delivery": "{{ brand }}: your order is out for delivery, arriving {{ window_start }}–{{ window_end }}. Track: {{ tracking_url }}",
    "eta_changed": "{{ brand }}: new arrival time for your order: {{ window_start }}–{{ window_end }}. Track: {{ tracking_url }}",
    "arriving": "{{ brand }}: your driver is {{ stops_away }} stop(s) away, arriving around {{ eta }}. Track: {{ tracking_url }}",
    "delivered": "{{ brand }}: your order was delivered at {{ delivered_at }}{% if proof_summary %} ({{ proof_summary }}){% endif %}. Details: {{ tracking_url }}",
    "failed": "{{ brand }}: we could not deliver your order ({{ reason }}). {{ next_step }} Details: {{ tracking_url }}",
}
_SMS_DE = {
    "confirmed": "{{ brand }}: Wir haben Ihre Bestellung {{ external_id }} erhalten. Sendungsverfolgung: {{ tracking_url }}",
    "out_for_delivery": "{{ brand }}: Ihre Bestellung ist unterwegs, Ankunft {{ window_start }}–{{ window_end }} Uhr. Verfolgen: {{ tracking_url }}",
    "eta_changed": "{{ brand }}: Neue Ankunftszeit Ihrer Bestellung: {{ window_start }}–{{ window_end }} Uhr. Verfolgen: {{ tracking_url }}",
    "arriving": "{{ brand }}: Ihr Fahrer ist {{ stops_away }} Stopp(s) entfernt, Ankunft gegen {{ eta }} Uhr. Verfolgen: {{ tracking_url }}",
    "delivered": "{{ brand }}: Ihre Bestellung wurde um {{ delivered_at }} Uhr zugestellt. Details: {{ tracking_url }}",
    "failed": "{{ brand }}: Wir konnten Ihre Bestellung nicht zustellen ({{ reason }}). {{ next_step }} Details: {{ tracking_url }}",
}
_SUBJECT_EN = {
    "confirmed": "{{ brand }}: order {{ external_id }} confirmed",
    "out_for_delivery": "{{ brand }}: your order is on its way",
    "eta_changed": "{{ brand }}: new delivery time",
    "arriving": "{{ brand }}: your driver is almost there",
    "delivered": "{{ brand }}: your order was delivered",
    "failed": "{{ brand }}: we missed you",
}
_SUBJECT_DE = {
    "confirmed": "{{ brand }}: Bestellung {{ external_id }} bestätigt",
    "out_for_delivery": "{{ brand }}: Ihre Bestellung ist unterwegs",
    "eta_changed": "{{ brand }}: neue Lieferzeit",
    "arriving": "{{ brand }}: Ihr Fahrer ist gleich da",
    "delivered": "{{ brand }}: Ihre Bestellung wurde zugestellt",
    "failed": "{{ brand }}: Zustellung nicht möglich",
}
_EMAIL_FOOTER_TEXT = "\n\nUnsubscribe: {{ unsubscribe_url }}"
_HTML = (
    "<html><body><p>Hello {{ name }},</p><p>{{ message }}</p>"
    '<p><a href="{{ tracking_url }}">Track your order</a></p>'
    '<p style="font-size:small"><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'
    "</body></html>"
)


def _email_text(sms: str) -> str:
    return "Hello {{ name }},\n\n" + sms + _EMAIL_FOOTER_TEXT


def _email_html(sms: str) -> str:
    # The HTML body wraps the same sentence; `message` is rendered from the text first.
    return _HTML.replace("{{ message }}", sms)


BUILTIN: dict[tuple[str, str, str], TemplateSource] = {}
for _locale, _sms, _subjects in (("en", _SMS_EN, _SUBJECT_EN), ("de", _SMS_DE, _SUBJECT_DE)):
    for _kind, _body in _sms.items():
        BUILTIN[(_kind, "sms", _locale)] = TemplateSource(_body, origin=f"builtin:{_locale}")
        BUILTIN[(_kind, "email", _locale)] = TemplateSource(
            _email_text(_body), _subjects[_kind], _email_html(_body), origin=f"builtin:{_locale}"
        )


def locale_chain(locale: str) -> list[str]:
    """`de-AT` → [`de-AT`, `de`]."""
    base = locale.split("-")[0]
    return [locale] if base == locale else [locale, base]


def choose(
    kind: str, channel: str, locale: str, tenant: dict[str, TemplateSource]
) -> TemplateSource:
    """Fallback: tenant+locale → tenant default → built-in locale → built-in English."""
    for candidate in locale_chain(locale):
        if candidate in tenant:
            return tenant[candidate]
    if "" in tenant:
        return tenant[""]
    for candidate in locale_chain(locale):
        if (kind, channel, candidate) in BUILTIN:
            return BUILTIN[(kind, channel, candidate)]
    return BUILTIN[(kind, channel, "en")]
