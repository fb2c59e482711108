"""/audit end to end: the provincial secretariat changes something, opens the trail, filters
it, pages through it and exports it as CSV and XLSX; a liaison officer is refused, a district
secretariat reads its own council's trail only."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from tests.e2e.conftest import Province
from tests.e2e.harness import cli_env, run_cli_inline, running
from tests.e2e.steps import invite, register
from tests.fakebot import BotMessage, FakeBotAPI, FakeUser

PROVINCIAL = "Gaziantep Provincial Migration Coordination Council"
DISTRICT = "Nizip District Migration Coordination Council"


def _csv_rows(message: BotMessage) -> list[list[str]]:
    assert message.document is not None, str(message)
    content: bytes = message.document["content"]
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, like the Ek-2 CSV
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


async def _export_csv(user: FakeUser, menu: BotMessage) -> list[list[str]]:
    await user.press("Export CSV", menu)
    return _csv_rows(await user.expect("Audit trail:"))


async def test_secretariat_filters_pages_and_exports_the_trail(
    fake: FakeBotAPI, db_path: Path, province: Province
) -> None:
    code, output = await run_cli_inline(
        ["district", "add", "--province", "Gaziantep", "--name", "Nizip",
         "--foreign-population", "48000", "--border"], cli_env(fake, db_path))
    assert code == 0, output
    async with running(fake, db_path):
        sec = fake.user(8101, "Selin", language_code="en")
        await register(sec, province.token, "Selin Kaya", lang="en")
        liaison = fake.user(8102, "Ali", language_code="en")
        token = await invite(sec, PROVINCIAL, "Liaison officer (principal)", "İl Müftülüğü",
                             lang="en")
        await register(liaison, token, "Ali Veli", lang="en")
        district_sec = fake.user(8103, "Deniz", language_code="en")
        token = await invite(sec, DISTRICT, "Secretariat", None, lang="en")
        await register(district_sec, token, "Deniz Ak", lang="en")

        # The secretariat changes something.
        await sec.command("districts")
        await sec.press("✏️ Rename", await sec.expect("1. Nizip"))
        await sec.press("Nizip", await sec.expect("Which district?"))
        await sec.send_text("Nizip İlçesi")
        await sec.expect("Renamed: Nizip İlçesi.")

        # The trail, filtered to today's settings.
        await sec.command("audit")
        menu = await sec.expect("Audit trail")
        assert "Period: All time" in (menu.text or "")
        await sec.press("Period", menu)
        await sec.press("Today", await sec.expect("Which period?"))
        await sec.press("Kind", await sec.expect("Period: Today"))
        await sec.press("Councils and settings", await sec.expect("Which kind of change?"))
        menu = await sec.expect("Kind of change: Councils and settings")
        await sec.press("Show entries", menu)
        listing = await sec.expect("page 1 of 1")
        text = listing.text or ""
        assert "District council renamed" in text and "Selin Kaya" in text
        assert "name: Nizip → Nizip İlçesi" in text
        assert "District council added" in text  # by the command line: "the system"
        assert "the system" in text
        assert "Registered" not in text  # another kind of change

        # Everything, paged.
        await sec.press("Back to filters", listing)
        menu = await sec.expect("Kind of change: Councils and settings")
        await sec.press("Kind", menu)
        await sec.press("All kinds", await sec.expect("Which kind of change?"))
        menu = await sec.expect("Kind of change: All kinds")
        await sec.press("Show entries", menu)
        first = await sec.expect("page 1 of")
        pages = int((first.text or "").split("page 1 of ", 1)[1].split(" ", 1)[0])
        assert pages >= 3
        await sec.press("Next ▶", first)
        second = await sec.expect("page 2 of")
        assert (second.text or "").split("\n\n")[1:] != (first.text or "").split("\n\n")[1:]
        await sec.press("◀ Previous", second)
        again = await sec.expect("page 1 of")
        assert again.text == first.text

        # One person's changes.
        await sec.press("Back to filters", again)
        menu = await sec.expect("Kind of change: All kinds")
        await sec.press("Person", menu)
        chooser = await sec.expect("Whose changes?")
        mine = next(b for b in chooser.buttons() if b.startswith("Selin Kaya ("))
        assert any(b.startswith("Ali Veli (") for b in chooser.buttons())
        await sec.press(mine, chooser)
        menu = await sec.expect("Person: Selin Kaya")

        # Exports of what the filters find, read back.
        rows = await _export_csv(sec, menu)
        assert rows[0] == ["When", "Who", "What", "About", "Changes", "Before", "After"]
        assert {r[1] for r in rows[1:]} == {"Selin Kaya"}
        assert {"Invitation created", "District council renamed", "Registered"} <= {
            r[2] for r in rows[1:]}
        await sec.press("Export XLSX", menu)
        sheet_message = await sec.expect("Audit trail:")
        assert sheet_message.document is not None
        assert sheet_message.document["file_name"].endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(sheet_message.document["content"])).active
        assert sheet is not None
        cells = [[c.value or "" for c in row] for row in sheet.iter_rows()]
        assert [row[:5] for row in cells] == [row[:5] for row in rows]

        # A liaison officer has no trail to read, by command or by a forged button.
        await liaison.command("audit")
        refusal = await liaison.expect("You are not authorised to do this.")
        await liaison.press_data("au:l:a:-:-:0", refusal.message_id)
        alert = await liaison.answer()
        assert alert.get("text") == "You are not authorised to do this."
        assert alert.get("show_alert")
        liaison.assert_no_reply()

        # The district secretariat reads its own council's trail, nothing of the province's.
        await district_sec.command("audit")
        menu = await district_sec.expect("Audit trail")
        rows = await _export_csv(district_sec, menu)
        whats = {r[2] for r in rows[1:]}
        assert {"District council renamed", "Role granted", "Registered"} <= whats
        assert "Province set up" not in whats
        assert all("Ali Veli" not in ";".join(r) for r in rows)

        # KVKK: once the liaison officer erases their data, the trail keeps what happened but
        # neither their name nor their phone.
        phone = f"+90532{liaison.id % 10_000_000:07d}"
        await sec.command("audit")
        before = await _export_csv(sec, await sec.expect("Audit trail"))
        assert any("Ali Veli" in ";".join(r) for r in before)
        assert any(phone in ";".join(r) for r in before)
        await liaison.command("forgetme")
        await liaison.press("Erase my data", await liaison.expect("Erase your data?"))
        await liaison.expect("Your personal data was erased")
        await sec.command("audit")
        after = await _export_csv(sec, await sec.expect("Audit trail"))
        assert len(after) == len(before) + 1   # the erasure, its roles' end included
        assert not any("Ali Veli" in ";".join(r) or phone in ";".join(r) for r in after)
        assert "Personal data erased (KVKK)" in {r[2] for r in after}
        assert {r[1] for r in after if r[2] == "Personal data erased (KVKK)"} == {
            "an erased person"}
