"""Attachments through the sender's door to Telegram (``TelegramApi``), against the fake
Bot API: the notice as a document with its caption and buttons; a text too long for a caption
as the file and then the text; Telegram's refusals sorted like any message's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.handlers.telegram_api import TelegramApi
from bot.notify.api import Unreachable
from bot.notify.kinds import Rendered, WithDocument
from tests.fakebot import FakeBotAPI

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
async def door() -> AsyncIterator[tuple[FakeBotAPI, TelegramApi]]:
    async with FakeBotAPI() as fake:
        api = TelegramApi(fake.token, fake.base_url, fake.base_file_url)
        await api.start()
        try:
            yield fake, api
        finally:
            await api.stop()


async def test_a_notice_goes_as_a_document_with_caption_and_buttons(
    door: tuple[FakeBotAPI, TelegramApi],
) -> None:
    fake, api = door
    user = fake.user(501, "Ayşe", language_code="en")
    buttons = ((("✅ I will attend", "mt:a:1:0:2:y"),),)
    await api.send(501, WithDocument("<b>Meeting notice</b>", "HTML", buttons, "meeting-1.ics",
                                     ICS))
    [message] = user.messages()
    assert message.text == "Meeting notice" and message.buttons() == ["✅ I will attend"]
    assert message.document is not None and message.document["content"] == ICS
    assert message.document["file_name"] == "meeting-1.ics"
    # A plain message passes through unchanged.
    await api.send(501, Rendered("plain"))
    assert user.messages()[-1].text == "plain" and user.messages()[-1].document is None


async def test_a_long_notice_sends_the_file_then_the_text_and_refusals_are_sorted(
    door: tuple[FakeBotAPI, TelegramApi],
) -> None:
    fake, api = door
    user = fake.user(502, "Burak", language_code="en")
    text = "Agenda: " + "madde " * 300
    buttons = ((("✅ I will attend", "mt:a:1:0:2:y"),),)
    message_id = await api.send(502, WithDocument(text, None, buttons, "meeting-1.ics", ICS))
    first, second = user.messages()
    assert first.document is not None and not first.text
    assert second.message_id == message_id and second.buttons() == ["✅ I will attend"]
    fake.block(502)
    with pytest.raises(Unreachable):
        await api.send(502, WithDocument("x", None, (), "meeting-1.ics", ICS))
