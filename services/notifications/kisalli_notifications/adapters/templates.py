"""Rendering emails from the Jinja2 templates under templates/<language>/.

Each email has a text and an HTML template; the text one also sets the
subject. HTML is autoescaped, so a return reason or a name can never add
markup; text is not, so it reads as written. A missing fact fails loudly
rather than leaving a hole in an email.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from kisalli_shared.contracts.common import Language

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# The office's clock: times in emails are Finnish local time.
HELSINKI = ZoneInfo("Europe/Helsinki")
_LINE_BREAKS = re.compile(r"[ \t\r\n]+")
_MONTHS_EN = (
    "January February March April May June July August September October"
    " November December"
).split()


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(HELSINKI).date()
    if isinstance(value, date):
        return value
    text = str(value)
    return (
        datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
    )


@pass_context
def format_day(context: Context, value: Any) -> str:
    day = _as_date(value)
    if context.get("lang") == Language.EN:
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day}.{day.month}.{day.year}"


@pass_context
def format_moment(context: Context, value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    local = moment.astimezone(HELSINKI)
    day = format_day(context, local.date())
    lang = context.get("lang")
    if lang == Language.EN:
        return f"{day} at {local:%H:%M}"
    word = "kl." if lang == Language.SV else "klo"
    return f"{day} {word} {local.hour}.{local:%M}"


@pass_context
def format_euros(context: Context, value: Any) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    grouped = f"{amount:,.2f}"
    if context.get("lang") == Language.EN:
        return f"€{grouped}"
    # Finnish and Swedish: spaces between thousands, a decimal comma.
    nbsp = "\u00a0"
    return grouped.replace(",", nbsp).replace(".", ",") + f"{nbsp}€"


class Renderer:
    def __init__(self, directory: Path = TEMPLATES) -> None:
        self.env = Environment(
            loader=FileSystemLoader(directory),
            # HTML is escaped; plain text must not be, or "&" reads "&amp;".
            autoescape=select_autoescape(["html"], default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            day=format_day, moment=format_moment, euros=format_euros
        )

    def render(
        self, template: str, language: Language, context: Mapping[str, Any]
    ) -> RenderedEmail:
        facts = {**context, "lang": language.value}
        text = self.env.get_template(f"{language.value}/{template}.txt")
        module = text.make_module(facts)
        # One line; no-break spaces (in amounts) stay as they are.
        subject = _LINE_BREAKS.sub(" ", str(getattr(module, "subject"))).strip()  # noqa: B009
        html = self.env.get_template(f"{language.value}/{template}.html")
        return RenderedEmail(
            subject=subject,
            text=str(module).strip() + "\n",
            html=html.render({**facts, "subject": subject}),
        )
