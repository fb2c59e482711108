"""Whole steps a person takes, written once and reused by the end-to-end tests."""

from __future__ import annotations

import re

from bot.i18n import Translator, translator
from tests.fakebot import BotMessage, FakeUser

LANGUAGE_BUTTON = {"tr": "Türkçe", "en": "English"}


def fragment(translated: str, **known: str) -> str:
    """The longest piece of a translated template that does not depend on unknown values."""
    text = translated
    for key, value in known.items():
        text = text.replace("{" + key + "}", value)
    return max(re.split(r"{[a-z_]+}", text), key=len).strip()


def plain(html_text: str) -> str:
    """What Telegram shows of an HTML message: the text without its tags."""
    return re.sub(r"<[^>]+>", "", html_text)


def t_for(user: FakeUser) -> Translator:
    return translator(user.language_code)


async def register(user: FakeUser, token: str, name: str, title: str = "Şube Müdürü",
                   lang: str = "tr", contact: bool = True) -> BotMessage:
    """Open an invitation link and complete registration; returns the confirmation."""
    t = t_for(user)
    await user.command("start", token)
    await user.expect(t("Step 1 of 4 — Please type your full name (name and surname)."))
    await user.send_text(name)
    await user.expect(t("Step 2 of 4 — Your title (unvan), for example: Şube Müdürü."))
    await user.send_text(title)
    await user.expect(t("Step 3 of 4 — Your phone number: press the button below to share it, "
                        "or type it."))
    if contact:
        await user.share_contact(f"+90532{user.id % 10_000_000:07d}")
    else:
        await user.send_text("0532 765 43 21")
    await user.expect(t("Step 4 of 4 — In which language shall I write to you?"))
    await user.press(LANGUAGE_BUTTON[lang])
    t = translator(lang)
    preview = await user.expect(plain(t("<b>Please check your details</b>")))
    assert name in (preview.text or "")
    await user.press(t("✅ Confirm"))
    return await user.expect(fragment(
        t("Thank you, {name}. You are registered as {role} of {where}."), name=name))


async def invite(secretariat: FakeUser, council: str, role: str, institution: str | None,
                 lang: str = "tr") -> str:
    """The secretariat makes an invitation with /invite; returns the link's token."""
    from tests.e2e.harness import token_from

    t = translator(lang)
    await secretariat.command("invite")
    prompt = await secretariat.expect(t("Invite to which council?"))
    await secretariat.press(council, prompt)
    await secretariat.expect(fragment(t("{council}\nInvite as what?")))
    await secretariat.press(role)
    if institution is not None:
        message = await secretariat.expect(t("For which institution?"))
        while institution not in message.buttons():
            await secretariat.press(t("Next") + " ▶", message)
            message = await secretariat.reply()
        await secretariat.press(institution, message)
    ready = await secretariat.expect(plain(t("<b>Invitation ready</b>")))
    return token_from(ready.text or "")
