"""Tests of the fake Telegram Bot API server (tests/fakebot.py), driven by PTB's own ``Bot``
and ``Application`` so we know python-telegram-bot talks to it the way it talks to Telegram."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakebot import FakeBotAPI, Fault, free_port

SCALE = 20.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as b:
        yield b


@pytest.fixture(autouse=True)
def _timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # RetryAfter.retry_after warns (PTBDeprecationWarning) unless PTB_TIMEDELTA is set.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def _keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Evet ✅", callback_data="vote:yes"),
                InlineKeyboardButton("Hayır", callback_data="vote:no"),
            ],
            [InlineKeyboardButton("Web sitesi", url="https://example.org/kurul")],
        ]
    )


# --- basics ------------------------------------------------------------------------------------


async def test_get_me_token_and_unknown_method(fake: FakeBotAPI, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name) == (999000, "kurul_test_bot", "Kurul")
    assert me.is_bot
    assert fake.calls("getMe") and fake.calls("GETME") == fake.calls("getMe")
    assert fake.requests[0].ok is True

    wrong = Bot("42:WRONG", base_url=fake.base_url, base_file_url=fake.base_file_url)
    try:
        with pytest.raises(InvalidToken):
            await wrong.initialize()
    finally:
        await wrong.shutdown()
    assert fake.requests[-1].error_code == 401

    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("frobnicateMessage", api_kwargs={"chat_id": 1})
    assert fake.requests[-1].description == "Not Found: method not found"
    # Telegram method names are case-insensitive.
    assert (await bot.do_api_request("GETME"))["username"] == "kurul_test_bot"


async def test_send_errors_for_chats(fake: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "kimse yok")
    stranger = fake.never_started(5005, "Mehmet")
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(stranger.id, "merhaba")
    await stranger.command("start")
    await bot.send_message(stranger.id, "şimdi oldu")
    assert (await stranger.reply()).text == "şimdi oldu"

    blocked = fake.user(5006)
    fake.block(blocked.id)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(blocked.id, "x")
    gone = fake.user(5007)
    fake.deactivate(gone.id)
    with pytest.raises(Forbidden, match=r"(?i)user is deactivated"):
        await bot.send_document(gone.id, document=b"x", filename="a.pdf")
    assert len(fake.send_times()) == 1


# --- messages, edits, markup -------------------------------------------------------------------


async def test_edit_snapshots_and_not_modified(fake: FakeBotAPI, bot: Bot) -> None:
    ayse = fake.user(2002)
    sent = await bot.send_message(ayse.id, "Oylama: v1", reply_markup=_keyboard())
    assert sent.reply_markup == _keyboard()  # inline keyboards are echoed like Telegram does
    await bot.edit_message_text(
        "Oylama: v2", chat_id=ayse.id, message_id=sent.message_id, reply_markup=_keyboard()
    )
    # Omitting reply_markup in an edit removes the inline keyboard, as on Telegram.
    await bot.edit_message_text(
        "Oylama: <i>bitti</i>", ayse.id, sent.message_id, parse_mode="HTML"
    )
    first, second, third = await ayse.replies(3)
    assert (first.text, first.edited, first.event) == ("Oylama: v1", False, "sent")
    assert first.buttons() == ["Evet ✅", "Hayır", "Web sitesi"]
    assert first.button_data("Evet") == "vote:yes"
    assert (second.text, second.edited, second.buttons()[1]) == ("Oylama: v2", True, "Hayır")
    assert (third.text, third.buttons(), third.raw_text) == (
        "Oylama: bitti",
        [],
        "Oylama: <i>bitti</i>",
    )
    assert third.entities == [{"type": "italic", "offset": 8, "length": 5}]
    assert [m.text for m in fake.messages(ayse.id)] == ["Oylama: bitti"]

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Oylama: <i>bitti</i>", ayse.id, sent.message_id, parse_mode="HTML"
        )
    # Same visible text but different entities is a modification (Telegram compares both).
    await bot.edit_message_text("Oylama: bitti", ayse.id, sent.message_id)
    assert (await ayse.reply()).entities == []
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("?", ayse.id, 999)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ayse.id, "a <br> b", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(ayse.id, "Toplantı 12.05.", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="y" * 65)]])
        await bot.send_message(ayse.id, "uzun", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ayse.id, "ş" * 4097)

    assert await bot.delete_message(ayse.id, sent.message_id)
    gone = await ayse.reply(include_deletions=True)
    assert (gone.event, gone.deleted, gone.message_id) == ("deleted", True, sent.message_id)
    assert fake.messages(ayse.id) == []
    ayse.assert_no_reply()


async def test_reply_keyboard_and_timeouts(fake: FakeBotAPI, bot: Bot) -> None:
    ali = fake.user(2003, "Ali", language_code="en")
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Telefonumu paylaş", request_contact=True)], ["İptal"]],
        one_time_keyboard=True,
    )
    sent = await bot.send_message(ali.id, "Numaranız?", reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram does not echo reply keyboards
    message = await ali.expect("Numara")
    assert message.keyboard() == ["Telefonumu paylaş", "İptal"]
    assert ali.keyboard() == ["Telefonumu paylaş", "İptal"]
    with pytest.raises(AssertionError, match=r"(?i)no reply-keyboard button"):
        await ali.tap("Evet")
    await ali.tap("İptal")
    assert ali.keyboard() == []  # one_time_keyboard hides after use

    with pytest.raises(AssertionError, match=r"no reply from the bot in chat 2003 within 0.05s"):
        await ali.reply(timeout=0.05)
    await bot.send_message(ali.id, "bir")
    with pytest.raises(AssertionError, match=r"(?s)containing 'iki'.*'bir'"):
        await ali.expect("iki", timeout=0.05)


# --- updates as PTB sees them ------------------------------------------------------------------


async def test_user_updates_deserialize_in_ptb(fake: FakeBotAPI, bot: Bot) -> None:
    ayse = fake.user(3003, last_name="Yılmaz", username="ayse_y")
    sent = await bot.send_message(ayse.id, "Seçin", reply_markup=_keyboard())
    await ayse.command("start", "davet-123")
    await ayse.press("Hayır")
    await ayse.press_data("forged", message_id=sent.message_id)
    await ayse.share_contact("+905551112233")
    await ayse.share_contact("+905559998877", contact_user_id=None, first_name="Veli")
    await ayse.send_photo(b"\xff\xd8photo")
    await ayse.send_document("tutanak.pdf", b"%PDF-1.4 tutanak")
    await ayse.send_sticker()
    await ayse.send_voice()
    await ayse.send_location(39.92, 32.85)
    text = await ayse.send_text("İlk hali")
    await ayse.edit_text(text["message_id"], "Son hali")
    with pytest.raises(AssertionError, match=r"(?i)not a callback button"):
        await ayse.press("Web sitesi")
    with pytest.raises(AssertionError, match=r"(?i)available buttons: #1: \['Evet"):
        await ayse.press("Belki")

    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 12
    start = updates[0].message
    assert start is not None and start.text == "/start davet-123"
    assert start.entities[0].type == "bot_command" and start.entities[0].length == 6
    assert start.from_user is not None and start.from_user.language_code == "tr"
    assert start.chat.type == "private" and start.chat.id == ayse.id
    query = updates[1].callback_query
    assert query is not None and query.data == "vote:no" and query.message is not None
    assert query.message.message_id == sent.message_id and query.chat_instance
    assert updates[2].callback_query is not None and updates[2].callback_query.data == "forged"
    own, other = updates[3].message, updates[4].message
    assert own is not None and own.contact is not None and own.contact.user_id == ayse.id
    assert other is not None and other.contact is not None and other.contact.user_id is None
    photo = updates[5].message
    assert photo is not None and len(photo.photo) == 2
    document = updates[6].message
    assert document is not None and document.document is not None
    assert document.document.file_name == "tutanak.pdf"
    sticker = updates[7].message
    assert sticker is not None and sticker.sticker is not None
    assert sticker.sticker.is_animated is False
    assert updates[8].message is not None and updates[8].message.voice is not None
    location = updates[9].message
    assert location is not None and location.location is not None
    assert location.location.latitude == pytest.approx(39.92)
    edited = updates[11].edited_message
    assert edited is not None and edited.text == "Son hali" and edited.edit_date is not None

    forged = updates[2].callback_query
    assert fake.unanswered_callbacks() == [query.id, forged.id]
    await bot.answer_callback_query(query.id, "Tamam")
    assert ayse.last_callback_answer == {"text": "Tamam"}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)

    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert fake.updates_confirmed == updates[-1].update_id
    assert fake.pending_updates == 0


async def test_long_poll_and_conflict(fake: FakeBotAPI, bot: Bot) -> None:
    ayse = fake.user(3004)
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(lambda: bool(fake.calls("getUpdates")), what="the long poll")
    await ayse.send_text("uyan")
    updates = await asyncio.wait_for(poll, timeout=2)
    assert [u.message.text for u in updates if u.message] == ["uyan"]

    # A second bot instance polling terminates the first poll with 409, as on Telegram.
    # (PTB's getUpdates connection pool holds one connection, hence a second Bot.)
    first = asyncio.create_task(bot.get_updates(offset=updates[-1].update_id + 1, timeout=5))
    await fake.wait_for(lambda: len(fake.calls("getUpdates")) == 2, what="second long poll")
    async with Bot(fake.token, base_url=fake.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await asyncio.wait_for(first, timeout=2)

    raw = {"message_id": 99, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "ham"}
    raw_id = await fake.inject({"message": raw})
    assert raw_id == updates[-1].update_id + 1 and not fake.all_fetched()
    # Update types outside allowed_updates are dropped, as Telegram does.
    assert await bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == ()
    assert fake.all_fetched() and fake.pending_updates == 0


async def test_parse_modes(fake: FakeBotAPI, bot: Bot) -> None:
    ayse = fake.user(3005)
    html = await bot.send_message(
        ayse.id,
        '👍 <b>Kurul</b> &amp; <a href="https://example.org">site</a> <code>1&lt;2</code>',
        parse_mode="HTML",
    )
    assert html.text == "👍 Kurul & site 1<2"
    assert [(e.type, e.offset, e.length) for e in html.entities] == [
        ("bold", 3, 5),  # offsets are in UTF-16 code units: 👍 counts 2
        ("text_link", 11, 4),
        ("code", 16, 3),
    ]
    md2_text = r"*Toplantı* _12\.05_ \- ~iptal~"
    md2 = await bot.send_message(ayse.id, md2_text, parse_mode="MarkdownV2")
    assert md2.text == "Toplantı 12.05 - iptal"
    assert [e.type for e in md2.entities] == ["bold", "italic", "strikethrough"]
    legacy = await bot.send_message(ayse.id, "*kalın* `kod`", parse_mode="Markdown")
    assert legacy.text == "kalın kod" and [e.type for e in legacy.entities] == ["bold", "code"]
    for text, mode in (("<b>açık", "HTML"), ("</i>", "HTML"), ("*açık", "MarkdownV2")):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(ayse.id, text, parse_mode=mode)
    assert [m.raw_text for m in await ayse.replies(3)][2] == "*kalın* `kod`"


# --- a real Application ------------------------------------------------------------------------


async def test_polling_application_flow(fake: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message and update.effective_user
        invitation = " ".join(context.args or [])
        await update.effective_message.reply_text(
            f"Merhaba <b>{update.effective_user.first_name}</b>, davet: {invitation}",
            parse_mode="HTML",
            reply_markup=_keyboard(),
        )

    async def vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Kaydedildi", show_alert=True)
        await query.edit_message_text(f"Oyunuz: {query.data}")

    async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message and message.contact and update.effective_user
        own = message.contact.user_id == update.effective_user.id
        await message.reply_text(
            f"Telefon {message.contact.phone_number} (kendi: {own})",
            reply_markup=ReplyKeyboardRemove(),
        )

    app = fake.builder().build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(vote, pattern=r"^vote:"))
    app.add_handler(MessageHandler(filters.CONTACT, contact))
    ayse = fake.user(1001)
    async with fake.running(app):
        await ayse.command("start", "abc")
        welcome = await ayse.reply()
        assert welcome.text == "Merhaba Ayşe, davet: abc"
        assert welcome.parse_mode == "HTML" and welcome.entities[0]["type"] == "bold"
        assert welcome.buttons() == ["Evet ✅", "Hayır", "Web sitesi"]

        await ayse.press("Evet")
        edited = await ayse.reply()
        assert (edited.message_id, edited.text, edited.edited) == (
            welcome.message_id,
            "Oyunuz: vote:yes",
            True,
        )
        assert await ayse.answer() == {"text": "Kaydedildi", "show_alert": True}

        await ayse.share_contact("+905551112233")
        assert (await ayse.expect("Telefon")).text == "Telefon +905551112233 (kendi: True)"
        await fake.wait_idle(quiet=0.1)
        ayse.assert_no_reply()
        assert fake.unanswered_callbacks() == []
    assert fake.pending_updates == 0
    assert fake.updates_confirmed == 100_003


async def test_group_chat(fake: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat and update.effective_message
        await update.effective_message.reply_text(f"Grup: {update.effective_chat.title}")

    app = fake.builder().build()
    app.add_handler(CommandHandler("start", start))
    group = fake.group(-100777, "İl Kurulu", kind="supergroup")
    ayse, ali = fake.user(11), fake.user(12, "Ali")
    async with fake.running(app):
        await group.command(ayse, "start", addressed=True)
        reply = await group.reply()
        assert reply.text == "Grup: İl Kurulu" and reply.chat_id == group.id
        assert reply.raw["reply_to_message"]["from"]["id"] == ayse.id
        await group.send_text(ali, "selam")  # no handler: the bot stays silent
        await fake.wait_idle(quiet=0.1)
        group.assert_no_reply()
        ayse.assert_no_reply()
        member = await app.bot.get_chat_member(group.id, ali.id)
        assert member.status == "member"


async def test_webhook_delivery_with_retry(fake: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message
        await update.effective_message.reply_text("webhook ile geldi")

    app = fake.builder().build()
    app.add_handler(CommandHandler("start", start))
    ayse = fake.user(4004)
    port, dead_port = free_port(), free_port()
    async with app:
        # First point the webhook somewhere nobody listens: delivery fails and is retried.
        await app.bot.set_webhook(f"http://127.0.0.1:{dead_port}/nowhere")
        with pytest.raises(Conflict, match=r"(?i)webhook is active"):
            await app.bot.get_updates(timeout=0)
        await ayse.command("start")
        await fake.wait_for(
            lambda: any(d.error for d in fake.webhook_deliveries), what="a failed delivery"
        )
        info = await app.bot.get_webhook_info()
        assert info.pending_update_count == 1 and info.last_error_message
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret-token",
        )
        try:
            assert (await ayse.reply()).text == "webhook ile geldi"
            assert fake.webhook_url == f"http://127.0.0.1:{port}/hook"
            assert fake.webhook_deliveries[-1].status == 200
            assert fake.calls("setWebhook")[-1].params["secret_token"] == "s3cret-token"
            await fake.wait_idle(quiet=0.1)
            assert fake.pending_updates == 0
        finally:
            await app.updater.stop()
            await app.stop()


# --- files -------------------------------------------------------------------------------------


async def test_documents_photos_and_get_file(fake: FakeBotAPI, bot: Bot) -> None:
    ayse = fake.user(6006)
    await bot.send_document(
        ayse.id, document=b"%PDF-1.4 rapor", filename="rapor.pdf", caption="Rapor"
    )
    message = await ayse.reply()
    assert message.text == "Rapor" and message.document is not None
    assert message.document["file_name"] == "rapor.pdf"
    assert message.document["content"] == b"%PDF-1.4 rapor"
    assert message.document["mime_type"] == "application/pdf"
    # Re-sending by file_id works; unknown ids fail like Telegram.
    again = await bot.send_document(ayse.id, document=message.document["file_id"])
    assert again.document is not None and again.document.file_name == "rapor.pdf"
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(ayse.id, document="NOPE")
    await bot.send_photo(ayse.id, photo=b"\xff\xd8bot-photo")
    await ayse.replies(1)
    photo = await ayse.reply()
    assert photo.photo is not None and photo.photo["content"] == b"\xff\xd8bot-photo"

    sent = await ayse.send_document("tutanak.docx", b"PK\x03\x04 tutanak", "application/msword")
    file = await bot.get_file(sent["document"]["file_id"])
    assert file.file_path is not None and file.file_path.startswith(fake.base_file_url)
    assert await file.download_as_bytearray() == bytearray(b"PK\x03\x04 tutanak")
    picture = await ayse.send_photo(b"\xff\xd8user-photo")
    largest = await bot.get_file(picture["photo"][-1]["file_id"])
    assert bytes(await largest.download_as_bytearray()) == b"\xff\xd8user-photo"
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("missing")


# --- faults and limits -------------------------------------------------------------------------


async def test_fail_next(fake: FakeBotAPI, bot: Bot) -> None:
    ayse, ali = fake.user(7007), fake.user(7008, "Ali")
    fake.fail_next("sendMessage", Fault("retry_after", retry_after=7))
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(ayse.id, "1")
    assert retry.value.retry_after == dtm.timedelta(seconds=7)
    assert fake.served_429 == 1

    fake.fail_next("sendmessage", Fault("server_error", status=502))
    with pytest.raises(NetworkError) as server_error:
        await bot.send_message(ayse.id, "2")
    assert type(server_error.value) is NetworkError

    fake.fail_next("sendMessage", Fault("forbidden"))
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await bot.send_message(ayse.id, "3")

    fake.fail_next("sendMessage", Fault("network"))
    with pytest.raises(NetworkError) as dropped:
        await bot.send_message(ayse.id, "4")
    assert type(dropped.value) is NetworkError and "RemoteProtocolError" in str(dropped.value)

    fake.fail_next("sendMessage", Fault("bad_request", description="Bad Request: nope"), 2, ali.id)
    await bot.send_message(ayse.id, "5")  # other chat: unaffected
    for _ in range(2):
        with pytest.raises(BadRequest, match=r"(?i)nope"):
            await bot.send_message(ali.id, "x")
    await bot.send_message(ali.id, "6")

    # performed: the message is delivered but the answer is lost.
    fake.fail_next("sendMessage", Fault("network", performed=True))
    with pytest.raises(NetworkError):
        await bot.send_message(ayse.id, "7")
    assert [m.text for m in await ayse.replies(2)] == ["5", "7"]
    outcomes = [c.ok for c in fake.calls("sendMessage")]
    assert outcomes == [False] * 4 + [True, False, False, True, False]
    assert len(fake.send_times(ayse.id)) == 2 and len(fake.send_times()) == 3


async def test_enforce_limits_and_max_rate(fake: FakeBotAPI, bot: Bot) -> None:
    users = [fake.user(8000 + i) for i in range(4)]
    fake.enforce_limits(overall_per_sec=None, per_chat_per_sec=1)
    await bot.send_message(users[0].id, "a")
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(users[0].id, "b")
    assert retry.value.retry_after == dtm.timedelta(seconds=1)
    await bot.send_message(users[1].id, "another chat is fine")

    fake.enforce_limits(overall_per_sec=5, per_chat_per_sec=None)
    results = await asyncio.gather(
        *(bot.send_message(users[i % 4].id, f"burst {i}") for i in range(12)),
        return_exceptions=True,
    )
    limited = [r for r in results if isinstance(r, RetryAfter)]
    assert limited and len(limited) + sum(not isinstance(r, Exception) for r in results) == 12
    assert fake.served_429 == 1 + len(limited)
    assert fake.max_rate(1.0) <= 5

    # A sender that honours retry_after on a 20x faster clock stays within the limit.
    fake.enforce_limits(overall_per_sec=None, per_chat_per_sec=2, scale=SCALE)
    paced = users[3]
    before = len(fake.send_times(paced.id))
    while len(fake.send_times(paced.id)) < before + 8:
        try:
            await bot.send_message(paced.id, "paced")
        except RetryAfter as exc:
            assert isinstance(exc.retry_after, dtm.timedelta)
            await asyncio.sleep(exc.retry_after.total_seconds() / SCALE)  # protocol back-off
    recent = fake.send_times(paced.id)[before:]
    window = 1 / SCALE
    brute = max(sum(1 for t in recent if s <= t < s + window) for s in recent)
    assert brute <= 2
    assert fake.max_rate(window, chat_id=paced.id) >= brute
    times = fake.send_times()
    for w in (0.001, 0.05, 1.0, 100.0):
        expected = max(sum(1 for t in times if s <= t < s + w) for s in times)
        assert fake.max_rate(w) == expected

    fake.enforce_limits(None, None)
    await asyncio.gather(*(bot.send_message(users[2].id, "free") for _ in range(5)))


async def test_fault_and_limit_on_specific_methods(fake: FakeBotAPI, bot: Bot) -> None:
    ayse = fake.user(8100)
    fake.fail_next("getMe", Fault("server_error", status=500, description="Internal Server Error"))
    with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
        await bot.get_me()
    fake.fail_next("sendChatAction", Fault("retry_after", retry_after=3), chat_id=ayse.id)
    with pytest.raises(RetryAfter):
        await bot.send_chat_action(ayse.id, "typing")
    assert await bot.send_chat_action(ayse.id, "typing")
    assert fake.send_times() == []  # chat actions are not sends


async def test_a_slow_fault_holds_the_call_then_carries_it_out(
    fake: FakeBotAPI, bot: Bot
) -> None:
    ayse = fake.user(8101)
    fake.fail_next("sendMessage", Fault("slow", delay=0.3), chat_id=ayse.id)
    sending = asyncio.create_task(bot.send_message(ayse.id, "late but there"))
    await fake.wait_for(lambda: bool(fake.calls("sendMessage")), what="the held call")
    assert fake.calls("sendMessage")[0].ok is None and not ayse.messages()
    started = time.monotonic()
    message = await sending
    assert time.monotonic() - started >= 0.2
    assert message.text == "late but there" and fake.calls("sendMessage")[0].ok
    assert [m.text for m in ayse.messages()] == ["late but there"]


# --- commands and menu -------------------------------------------------------------------------


async def test_my_commands_per_scope_and_language(fake: FakeBotAPI, bot: Bot) -> None:
    ayse = fake.user(9009)
    await bot.set_my_commands([BotCommand("start", "Başla"), BotCommand("yardim", "Yardım")])
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    scope = BotCommandScopeChat(ayse.id)
    await bot.set_my_commands([BotCommand("yonetim", "Yönetim")], scope=scope, language_code="tr")

    assert [c.command for c in await bot.get_my_commands()] == ["start", "yardim"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    assert await bot.get_my_commands(language_code="de") == ()
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="tr")] == [
        "yonetim"
    ]
    assert await bot.get_my_commands(scope=scope) == ()
    assert fake.commands("en") == [{"command": "start", "description": "Start"}]
    assert fake.commands("tr", scope={"type": "chat", "chat_id": ayse.id}) is not None

    assert await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Başla", "x")])

    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert fake.menu_button() == {"type": "commands"}
    assert (await bot.get_chat_menu_button()).type == "commands"
    chat = await bot.get_chat(ayse.id)
    assert chat.first_name == "Ayşe" and chat.type == "private"
    assert await bot.close() and await bot.log_out()
