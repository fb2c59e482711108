"""The command list: what each command is for and who sees it, in /help, /menu and Telegram's
command menu (published per language with ``set_my_commands``)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import BotCommand

from bot.domain.permissions import Grant, Permission, allowed
from bot.i18n import N_, Translator


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str
    permission: Permission | None = None   # None: for everyone registered
    public: bool = False                   # also for people not registered yet
    personal: bool = False                 # also for people whose roles all ended
    in_menu: bool = True


COMMANDS: tuple[Command, ...] = (
    Command("start", N_("Start, or open an invitation"), public=True, in_menu=False),
    Command("menu", N_("What I can do for you"), in_menu=False),
    Command("me", N_("My data and roles")),
    Command("members", N_("Members and liaison officers of a council"), Permission.VIEW_MEMBERS),
    Command("invite", N_("Invite someone to a council"), Permission.INVITE_DEPUTY),
    Command("invites", N_("Open invitations"), Permission.MANAGE_INVITES),
    Command("institutions", N_("Add, rename or remove institutions"),
            Permission.MANAGE_INSTITUTIONS),
    Command("districts", N_("Add, rename or remove district councils"),
            Permission.MANAGE_DISTRICTS),
    Command("promote", N_("Promote a substitute liaison officer"), Permission.MANAGE_LIAISONS),
    Command("calendar", N_("Meeting windows and deadlines"), Permission.VIEW_CALENDAR),
    Command("leave", N_("Administrative leave days of the province"), Permission.MANAGE_LEAVE),
    Command("broadcast", N_("Send a message to a council or the province"), Permission.BROADCAST),
    Command("groups", N_("The councils' Telegram groups for announcements"),
            Permission.BROADCAST),
    Command("deliveries", N_("Delivery reports of notices and reminders"),
            Permission.VIEW_DELIVERIES),
    Command("newmeeting", N_("Schedule a meeting"), Permission.SCHEDULE_MEETING),
    Command("meetings", N_("Meetings of my councils"), Permission.VIEW_MEETINGS),
    Command("export", N_("Attendance list (Ek-2) of a meeting"), Permission.EXPORT_ATTENDANCE),
    Command("away", N_("I am away: my deputy gets the meeting notices"),
            Permission.MARK_AWAY),
    Command("propose", N_("Send an agenda proposal"), Permission.PROPOSE),
    Command("myproposals", N_("My institution's agenda proposals"), Permission.PROPOSE),
    Command("proposals", N_("Review agenda proposals"), Permission.REVIEW_PROPOSALS),
    Command("agenda", N_("Agenda of a meeting"), Permission.VIEW_AGENDA),
    Command("minutes", N_("Minutes and decisions of a meeting"), Permission.RECORD_MINUTES),
    Command("progress", N_("Report progress on a decision"), Permission.REPORT_PROGRESS),
    Command("decisions", N_("The decision register"), Permission.VIEW_DECISIONS),
    Command("annualreport", N_("Ek-3 annual report draft of the province"),
            Permission.RECORD_MINUTES),
    Command("overview", N_("Decisions by state, as a chart"), Permission.VIEW_REPORTS),
    Command("audit", N_("Who changed what, and when"), Permission.VIEW_AUDIT),
    Command("privacy", N_("How my personal data is used"), public=True, in_menu=False),
    Command("mydata", N_("A copy of my personal data"), personal=True, in_menu=False),
    Command("forgetme", N_("Erase my personal data"), personal=True, in_menu=False),
    Command("lang", N_("Change language"), public=True),
    Command("help", N_("Help"), public=True),
    Command("cancel", N_("Cancel what I am doing"), public=True, in_menu=False),
)

PUBLIC_COMMANDS = frozenset(c.name for c in COMMANDS if c.public)
# Someone known whose roles all ended may still see and erase their own data.
PERSONAL_COMMANDS = frozenset(c.name for c in COMMANDS if c.personal) | {"me"}


def available(grants: list[Grant], registered: bool) -> list[Command]:
    """Commands this person may use; INVITE_DEPUTY also covers the secretariat's INVITE."""
    result = []
    for command in COMMANDS:
        if command.public:
            result.append(command)
        elif not registered:
            continue
        elif command.permission is None or allowed(command.permission, grants) or (
            command.permission is Permission.INVITE_DEPUTY and allowed(Permission.INVITE, grants)
        ):
            result.append(command)
    return result


def bot_commands(commands: list[Command], t: Translator) -> list[BotCommand]:
    return [BotCommand(c.name, t(c.description)) for c in commands]
