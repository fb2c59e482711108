"""Province set-up, invitations and registration, on a real store with a manual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.clock import ManualClock
from bot.domain.institutions import DISTRICT_INSTITUTIONS, PROVINCIAL_INSTITUTIONS
from bot.domain.models import CouncilKind, Rank, RoleKind
from bot.services import invites, members, registration, setup
from bot.services.errors import Refusal, ServiceError
from bot.services.registration import Profile
from bot.store import Store

SECRETARIAT_TG, LIAISON_TG, OTHER_TG, MEMBER_TG, DEPUTY_TG = 1001, 1002, 1003, 1004, 1005


def profile(name: str = "Ayşe Yılmaz") -> Profile:
    return Profile.checked(name, "Şube Müdürü", "0532 123 45 67", "tr")


async def province_with_secretariat(store: Store, clock: ManualClock) -> setup.ProvinceSetup:
    done = await setup.init_province(store, clock, "Gaziantep", 420_000)
    await registration.register(store, clock, done.token, SECRETARIAT_TG, profile("Sekreter Bir"))
    return done


async def invite(store: Store, clock: ManualClock, role: RoleKind, rank: Rank | None = None,
                 institution_no: int = 2, inviter: int = SECRETARIAT_TG,
                 council_id: int | None = None) -> str:
    grants = await store.people.grants(inviter)
    person = await store.people.by_telegram_id(inviter)
    assert person is not None
    council_id = council_id or grants[0].council_id
    council = await store.councils.council(council_id)
    assert council is not None
    institutions = await store.councils.institutions(invites.institution_council(council))
    made = await invites.create_invite(store, clock, grants, person.id, council_id, role, rank,
                                       institutions[institution_no].id, 7)
    return made.token


async def test_art_4_2_init_creates_council_subcommission_and_institutions(
    store: Store, clock: ManualClock
) -> None:
    done = await setup.init_province(store, clock, "Gaziantep", 420_000)
    councils = await store.councils.councils_of_province(done.province.id)
    assert [c.kind for c in councils] == [CouncilKind.PROVINCIAL, CouncilKind.SUBCOMMISSION]
    assert councils[1].parent_id == councils[0].id
    names = [i.name for i in await store.councils.institutions(done.council_id)]
    assert names == list(PROVINCIAL_INSTITUTIONS)
    assert len(done.token) >= 20
    # only the hash is stored
    row = await store.db.fetchone("SELECT token_hash FROM invite")
    assert row is not None and row[0] != done.token and row[0] == invites.hash_token(done.token)


async def test_init_twice_is_refused_whatever_the_casing(store: Store, clock: ManualClock) -> None:
    await setup.init_province(store, clock, "Isparta", 5000)
    with pytest.raises(ServiceError) as caught:
        await setup.init_province(store, clock, "ISPARTA", 5000)
    assert caught.value.refusal is Refusal.PROVINCE_EXISTS


async def test_art_4_3_district_with_kaymakam_on_the_provincial_council(
    store: Store, clock: ManualClock
) -> None:
    done = await setup.init_province(store, clock, "Hatay", 400_000)
    big = await setup.add_district(store, clock, done.province.id, "Reyhanlı", 90_000, True)
    small = await setup.add_district(store, clock, done.province.id, "Belen", 800, False)
    assert [i.name for i in await store.councils.institutions(big.id)] == list(
        DISTRICT_INSTITUTIONS)
    provincial = [i.name for i in await store.councils.institutions(done.council_id)]
    assert "Reyhanlı Kaymakamlığı" in provincial  # Art. 4(2): above 2,000 foreigners
    assert "Belen Kaymakamlığı" not in provincial
    assert small.border is False and big.border is True
    with pytest.raises(ServiceError) as caught:
        await setup.add_district(store, clock, done.province.id, "REYHANLI", 1, False)
    assert caught.value.refusal is Refusal.DISTRICT_EXISTS


async def test_first_secretariat_link_works_once(store: Store, clock: ManualClock) -> None:
    done = await province_with_secretariat(store, clock)
    grants = await store.people.grants(SECRETARIAT_TG)
    assert [(g.kind, g.council_id) for g in grants] == [(RoleKind.SECRETARIAT, done.council_id)]
    with pytest.raises(ServiceError) as caught:
        await registration.register(store, clock, done.token, OTHER_TG, profile())
    assert caught.value.refusal is Refusal.INVITE_USED
    assert await store.people.by_telegram_id(OTHER_TG) is None


async def test_expired_and_revoked_invitations(store: Store, clock: ManualClock) -> None:
    await province_with_secretariat(store, clock)
    expiring = await invite(store, clock, RoleKind.MEMBER)
    revoked = await invite(store, clock, RoleKind.MEMBER, institution_no=3)
    secretariat = await store.people.by_telegram_id(SECRETARIAT_TG)
    assert secretariat is not None
    view = await invites.check_token(store, clock, revoked)
    await invites.revoke_invite(store, clock, await store.people.grants(SECRETARIAT_TG),
                                secretariat.id, view.invite.id)
    clock.advance(timedelta(days=7, seconds=1))
    for token, refusal in [(expiring, Refusal.INVITE_EXPIRED), (revoked, Refusal.INVITE_REVOKED),
                           ("made-up-token", Refusal.INVITE_UNKNOWN)]:
        with pytest.raises(ServiceError) as caught:
            await registration.register(store, clock, token, OTHER_TG, profile())
        assert caught.value.refusal is refusal


async def test_new_principal_ends_the_previous_term_and_keeps_history(
    store: Store, clock: ManualClock
) -> None:
    await province_with_secretariat(store, clock)
    first = await invite(store, clock, RoleKind.LIAISON, Rank.PRINCIPAL)
    await registration.register(store, clock, first, LIAISON_TG, profile("Ali Veli"))
    clock.advance(timedelta(days=30))
    second = await invite(store, clock, RoleKind.LIAISON, Rank.PRINCIPAL)
    done = await registration.register(store, clock, second, OTHER_TG, profile("Can Demir"))
    assert [p.full_name for p in done.replaced] == ["Ali Veli"]
    assert await store.people.grants(LIAISON_TG) == []
    old = await store.people.by_telegram_id(LIAISON_TG)
    assert old is not None
    history = await store.people.role_history(old.id)
    assert len(history) == 1 and history[0].valid_to == clock.now()
    assert SECRETARIAT_TG in done.notify_telegram_ids


async def test_substitute_is_promoted(store: Store, clock: ManualClock) -> None:
    await province_with_secretariat(store, clock)
    await registration.register(store, clock, await invite(store, clock, RoleKind.LIAISON,
                                Rank.PRINCIPAL), LIAISON_TG, profile("Ali Veli"))
    await registration.register(store, clock, await invite(store, clock, RoleKind.LIAISON,
                                Rank.SUBSTITUTE), OTHER_TG, profile("Can Demir"))
    secretariat = await store.people.by_telegram_id(SECRETARIAT_TG)
    institution_id = (await store.people.grants(OTHER_TG))[0].institution_id
    assert secretariat is not None and institution_id is not None
    promoted, ended = await registration.promote_substitute(
        store, clock, await store.people.grants(SECRETARIAT_TG), secretariat.id, institution_id)
    assert promoted.full_name == "Can Demir" and ended is not None
    assert ended.full_name == "Ali Veli"
    # The promoted officer sits on the sub-commission as its principal too (Art. 6(3)).
    assert [(g.council_kind, g.rank) for g in await store.people.grants(OTHER_TG)] == [
        (CouncilKind.PROVINCIAL, Rank.PRINCIPAL), (CouncilKind.SUBCOMMISSION, Rank.PRINCIPAL)]
    assert await store.people.liaison(institution_id, Rank.SUBSTITUTE) is None
    with pytest.raises(ServiceError) as caught:
        await registration.promote_substitute(
            store, clock, await store.people.grants(SECRETARIAT_TG), secretariat.id,
            institution_id)
    assert caught.value.refusal is Refusal.NO_SUBSTITUTE


async def test_art_9_2_member_invites_deputy_but_deputy_cannot(
    store: Store, clock: ManualClock
) -> None:
    await province_with_secretariat(store, clock)
    await registration.register(store, clock, await invite(store, clock, RoleKind.MEMBER),
                                MEMBER_TG, profile("Üye Bir"))
    deputy_token = await invite(store, clock, RoleKind.DEPUTY, inviter=MEMBER_TG)
    await registration.register(store, clock, deputy_token, DEPUTY_TG, profile("Vekil Bir"))
    with pytest.raises(ServiceError) as caught:
        await invite(store, clock, RoleKind.DEPUTY, inviter=DEPUTY_TG)
    assert caught.value.refusal is Refusal.FORBIDDEN
    with pytest.raises(ServiceError):  # a member cannot invite for another institution
        await invite(store, clock, RoleKind.DEPUTY, inviter=MEMBER_TG, institution_no=5)
    with pytest.raises(ServiceError):  # nor any other role
        await invite(store, clock, RoleKind.MEMBER, inviter=MEMBER_TG)


async def test_roster_shows_who_is_missing(store: Store, clock: ManualClock) -> None:
    done = await province_with_secretariat(store, clock)
    await registration.register(store, clock, await invite(store, clock, RoleKind.LIAISON,
                                Rank.PRINCIPAL), LIAISON_TG, profile("Ali Veli"))
    grants = await store.people.grants(SECRETARIAT_TG)
    roster = await members.roster(store, grants, done.council_id)
    assert [p.full_name for p in roster.secretariat] == ["Sekreter Bir"]
    row = roster.rows[2]
    assert row.principal is not None and row.principal.full_name == "Ali Veli"
    assert row.missing(CouncilKind.PROVINCIAL) == ["member", "substitute"]
    assert roster.missing_count == len(PROVINCIAL_INSTITUTIONS)
    # the sub-commission is the liaison officers of the provincial institutions (Art. 6(3))
    sub = await members.roster(store, grants, done.subcommission_id)
    assert sub.rows[2].principal is not None
    assert sub.rows[2].missing(CouncilKind.SUBCOMMISSION) == ["substitute"]
    with pytest.raises(ServiceError):
        await members.roster(store, await store.people.grants(LIAISON_TG), done.council_id)


async def test_every_change_is_audited(store: Store, clock: ManualClock) -> None:
    await province_with_secretariat(store, clock)
    actions = [e.action for e in await store.audit.entries()]
    assert actions == ["person.register", "role.grant", "province.init"]
