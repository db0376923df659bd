"""Problem texts meant for people, in Finnish, Swedish and English.

The language is the best of fi, sv and en in Accept-Language, Finnish when
none is asked for: the product speaks Finnish first.
"""

from __future__ import annotations

from kisalli_shared.contracts.common import Language
from kisalli_shared.problems import Problem

FI, SV, EN = Language.FI, Language.SV, Language.EN

# slug -> (status, title in English, {language: detail})
TEXTS: dict[str, tuple[int, str, dict[Language, str]]] = {
    "password-too-short": (
        422,
        "Password too short",
        {
            FI: "Salasanan on oltava vähintään 15 merkkiä pitkä.",
            SV: "Lösenordet måste vara minst 15 tecken långt.",
            EN: "The password must be at least 15 characters long.",
        },
    ),
    "password-too-long": (
        422,
        "Password too long",
        {
            FI: "Salasana saa olla enintään 64 merkkiä pitkä.",
            SV: "Lösenordet får vara högst 64 tecken långt.",
            EN: "The password may be at most 64 characters long.",
        },
    ),
    "password-common": (
        422,
        "Password too common",
        {
            FI: "Salasana on liian yleinen tai helposti arvattava. Valitse toinen,"
            " esimerkiksi useamman sanan lause.",
            SV: "Lösenordet är för vanligt eller lätt att gissa. Välj ett annat,"
            " till exempel en fras med flera ord.",
            EN: "The password is too common or easy to guess. Choose another,"
            " for example a phrase of several words.",
        },
    ),
    "password-personal": (
        422,
        "Password contains a name",
        {
            FI: "Salasana ei saa sisältää käyttäjätunnustasi, nimeäsi,"
            " sähköpostiosoitettasi eikä palvelun nimeä.",
            SV: "Lösenordet får inte innehålla ditt användarnamn, ditt namn,"
            " din e-postadress eller tjänstens namn.",
            EN: "The password must not contain your username, your name,"
            " your email address or the service's name.",
        },
    ),
    "link-refused": (
        400,
        "Link not valid",
        {
            FI: "Linkki on vanhentunut, jo käytetty tai korvattu uudemmalla."
            " Pyydä uusi linkki.",
            SV: "Länken har gått ut, har redan använts eller har ersatts av en"
            " nyare. Be om en ny länk.",
            EN: "The link has expired, was already used or was replaced by a"
            " newer one. Ask for a new link.",
        },
    ),
    "login-failed": (
        401,
        "Login failed",
        {
            FI: "Käyttäjätunnus tai salasana on väärä.",
            SV: "Fel användarnamn eller lösenord.",
            EN: "The username or password is wrong.",
        },
    ),
    "login-locked": (
        429,
        "Login locked for a while",
        {
            FI: "Liian monta epäonnistunutta kirjautumista. Yritä myöhemmin"
            " uudelleen tai aseta uusi salasana unohtuneen salasanan kautta.",
            SV: "För många misslyckade inloggningar. Försök igen senare eller"
            " välj ett nytt lösenord via glömt lösenord.",
            EN: "Too many failed logins. Try again later, or set a new password"
            " through the forgotten-password page.",
        },
    ),
    "current-password-wrong": (
        403,
        "Current password wrong",
        {
            FI: "Nykyinen salasana on väärä.",
            SV: "Det nuvarande lösenordet är fel.",
            EN: "The current password is wrong.",
        },
    ),
    "refresh-refused": (
        401,
        "Session ended",
        {
            FI: "Istunto on päättynyt. Kirjaudu uudelleen.",
            SV: "Sessionen har avslutats. Logga in på nytt.",
            EN: "The session has ended. Log in again.",
        },
    ),
    "username-taken": (
        409,
        "Username taken",
        {
            FI: "Käyttäjätunnus on jo käytössä.",
            SV: "Användarnamnet är redan upptaget.",
            EN: "The username is already taken.",
        },
    ),
    "email-taken": (
        409,
        "Email address taken",
        {
            FI: "Sähköpostiosoite on jo toisen henkilön käytössä.",
            SV: "E-postadressen används redan av en annan person.",
            EN: "Another person already uses this email address.",
        },
    ),
    "account-shared": (
        409,
        "Account serves another office too",
        {
            FI: "Tili on myös toisen oppisopimustoimiston käytössä, joten yksi"
            " toimisto ei voi yksin vaihtaa sen sähköpostiosoitetta.",
            SV: "Kontot används också av en annan läroavtalsbyrå, så en byrå"
            " kan inte ensam byta dess e-postadress.",
            EN: "Another apprenticeship office uses this account too, so one"
            " office alone cannot change its email address.",
        },
    ),
    "username-format": (
        422,
        "Username not valid",
        {
            FI: "Käyttäjätunnuksessa on 3-64 merkkiä: kirjaimia a-z, numeroita"
            " sekä . _ - (ei alussa eikä lopussa).",
            SV: "Ett användarnamn har 3-64 tecken: bokstäverna a-z, siffror"
            " samt . _ - (inte först eller sist).",
            EN: "A username has 3 to 64 characters: letters a-z, digits and"
            " . _ - (not first or last).",
        },
    ),
    "email-format": (
        422,
        "Email address not valid",
        {
            FI: "Sähköpostiosoite ei kelpaa.",
            SV: "E-postadressen är ogiltig.",
            EN: "The email address is not valid.",
        },
    ),
    "too-many-requests": (
        429,
        "Too many requests",
        {
            FI: "Liian monta pyyntöä. Yritä hetken kuluttua uudelleen.",
            SV: "För många förfrågningar. Försök igen om en stund.",
            EN: "Too many requests. Try again in a while.",
        },
    ),
}

RESET_ACCEPTED = {
    FI: "Jos käyttäjätunnus tai sähköpostiosoite löytyy, lähetämme tilin"
    " sähköpostiosoitteeseen linkin uuden salasanan asettamiseen.",
    SV: "Om användarnamnet eller e-postadressen finns skickar vi en länk för"
    " att välja ett nytt lösenord till kontots e-postadress.",
    EN: "If the username or email address is known, a link to set a new"
    " password goes to the account's email address.",
}


def language_of(accept_language: str | None) -> Language:
    """The best of fi, sv and en by q-value; Finnish when nothing matches."""
    best, best_q = Language.FI, 0.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if primary in {"fi", "sv", "en"} and q > best_q:
            best, best_q = Language(primary), q
    return best


def problem(slug: str, language: Language, **extra: object) -> Problem:
    status, title, details = TEXTS[slug]
    return Problem(status, slug, title, details[language], **extra)
