"""Whom to write to: a fair pick among writable prisoners, soft-held for the supporter, and search."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, false, func
from sqlmodel import col
from sqlmodel import select as select_model
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Campaign, Letter, Prisoner, PrisonerStatus, Supporter, table_of
from bot.rules import envelope, fairness, filters, names, occasions
from bot.services import campaigns, holds, letters

CANDIDATES = 30  # least-loaded prisoners read per query; the pick is made among them
FILTER_BIRTHDAY_DAYS = 30


PRISONERS = table_of(Prisoner)


# Letters can reach this person: the one definition, as SQL (writable) and for a loaded row (is_writable).
WRITABLE = {"status": PrisonerStatus.ACTIVE.value, "in_custody": True, "can_write": True}


def writable() -> ColumnElement[bool]:
    return and_(*(PRISONERS.c[name] == value for name, value in WRITABLE.items()))


def is_writable(prisoner: Prisoner) -> bool:
    return all(getattr(prisoner, name) == value for name, value in WRITABLE.items())


def _birthday_in(pairs: list[tuple[int, int]]) -> ColumnElement[bool]:
    codes = [month * 100 + day for month, day in pairs]
    return (col(Prisoner.birth_month) * 100 + col(Prisoner.birth_day)).in_(codes)


async def filter_clause(session: AsyncSession, stored: str | None, today: date) -> ColumnElement[bool] | None:
    """The condition a supporter's filters add, all of them together (see bot/rules/filters.py); None
    for no filter."""
    clauses = [await _clause(session, chosen, today) for chosen in filters.parse(stored)]
    return and_(*clauses) if clauses else None


async def _clause(session: AsyncSession, chosen: filters.Filter, today: date) -> ColumnElement[bool]:
    if chosen.kind == "bday":
        return _birthday_in(occasions.birthday_window(today, FILTER_BIRTHDAY_DAYS))
    if chosen.kind == "month":
        return col(Prisoner.birth_month) == chosen.month
    if chosen.kind == "gender":
        return col(Prisoner.gender) == chosen.value
    if chosen.kind == "fac":
        return col(Prisoner.facility_key) == chosen.value
    interest = await interest_named(session, chosen.value)
    if interest is None:  # no one writable has it any more: the filter finds no one, as it says
        return false()
    return ("; " + func.replace(col(Prisoner.interests), ";", "; ") + ";").like(f"%; {interest};%")


@dataclass(frozen=True)
class Pick:
    prisoner: Prisoner
    recent: int  # letters logged in the last 30 days
    birthday: date | None  # the next birthday, if it is within the postal lead time


async def suggest(
    session: AsyncSession, *, supporter: Supporter, now: datetime, today: date, rng: random.Random,
    campaign: Campaign | None = None,
) -> Pick | None:  # fmt: skip
    """Release the supporter's previous suggestion, pick the next person fairly and hold them.

    One query ranks the candidates as fairness.Candidate.score does: letters (load_ref), plus each
    open hold as a letter written today, minus BIRTHDAY_BOOST for a birthday within the lead time;
    people offered to this supporter lately are left out. The pick is made among the best few.
    """
    supporter_id = supporter.id or 0
    await holds.release_all(session, supporter_id, now)
    held = holds.open_counts(now).subquery()
    today_weight = fairness.weight(today)
    load = PRISONERS.c.load_ref + today_weight * func.coalesce(held.c[1], 0)
    soon = _birthday_in(occasions.birthday_window(today, fairness.BIRTHDAY_LEAD_DAYS))
    conditions = [writable(), PRISONERS.c.id.not_in(holds.recently_offered(supporter_id, now))]
    # Within a campaign, its target takes the place of the supporter's own filter.
    extra = campaigns.within(campaign) if campaign else await filter_clause(session, supporter.suggest_filter, today)
    if extra is not None:
        conditions.append(extra)
    birthday = PRISONERS.c.birth_month * 100 + PRISONERS.c.birth_day
    rows = (
        await session.exec(
            select_model(PRISONERS.c.id, load, birthday)
            .select_from(PRISONERS.outerjoin(held, held.c.prisoner_id == PRISONERS.c.id))
            .where(*conditions)
            .order_by(load - case((soon, fairness.BIRTHDAY_BOOST * today_weight), else_=0.0))
            .limit(CANDIDATES)
        )
    ).all()
    candidates = [
        fairness.Candidate(pid, float(effective), _days_to(code // 100 if code else None, code % 100 if code else None,
                                                            today))
        for pid, effective, code in rows
    ]  # fmt: skip
    chosen = fairness.choose(candidates, today, rng)
    if chosen is None:
        return None
    await holds.place(
        session, supporter_id=supporter_id, prisoner_id=chosen.prisoner_id, now=now,
        campaign_id=campaign.id if campaign else None,
    )  # fmt: skip
    return await card(session, chosen.prisoner_id, today)


async def card(session: AsyncSession, prisoner_id: int, today: date) -> Pick | None:
    """A prisoner with what their card tells (letters logged lately, a birthday soon), in one query."""
    row = (
        await session.exec(
            select_model(Prisoner, letters.recent_count_of(Prisoner.id, today)).where(Prisoner.id == prisoner_id)
        )
    ).first()
    if row is None:
        return None
    prisoner, recent = row
    days = _days_to_birthday(prisoner, today)
    birthday = (
        occasions.next_birthday(prisoner.birth_month, prisoner.birth_day, today)
        if days is not None and days <= fairness.BIRTHDAY_LEAD_DAYS
        else None
    )
    return Pick(prisoner, int(recent), birthday)


def _days_to_birthday(prisoner: Prisoner, today: date) -> int | None:
    return _days_to(prisoner.birth_month, prisoner.birth_day, today)


def _days_to(month: int | None, day: int | None, today: date) -> int | None:
    birthday = occasions.next_birthday(month, day, today)
    return None if birthday is None else (birthday - today).days


async def hold_chosen(
    session: AsyncSession, *, supporter: Supporter, prisoner: Prisoner, now: datetime, campaign_id: int | None = None
) -> None:
    """The supporter chose this person themselves (by search, from /letters, back to the card): hold
    them in place of their previous hold if letters can reach them. A hold on them that is still open
    stays as it is, and looking at someone letters cannot reach releases nothing."""
    supporter_id, prisoner_id = supporter.id or 0, prisoner.id or 0
    if not is_writable(prisoner) or await holds.is_open(session, supporter_id, prisoner_id, now):
        return
    await holds.release_all(session, supporter_id, now)
    await holds.place(session, supporter_id=supporter_id, prisoner_id=prisoner_id, now=now, campaign_id=campaign_id)


async def awaiting_letters(
    session: AsyncSession, supporter_id: int, now: datetime, today: date, limit: int = 3
) -> list[Prisoner]:
    """People suggested to (or chosen by) the supporter lately to whom they have logged no letter in
    that time, newest first: so "I sent it" stays within reach after another suggestion took the hold."""
    offered = holds.offered_lately(supporter_id, now).subquery()
    logged = select_model(Letter.prisoner_id).where(
        Letter.supporter_id == supporter_id, Letter.logged_on >= today - timedelta(days=holds.NOT_AGAIN_DAYS)
    )
    result = await session.exec(
        select_model(Prisoner)
        .join(offered, offered.c.prisoner_id == Prisoner.id)
        .where(writable(), col(Prisoner.id).not_in(logged))
        .order_by(offered.c.latest.desc(), col(Prisoner.id))
        .limit(limit)
    )
    return list(result.all())


async def search(session: AsyncSession, query: str, limit: int = 8) -> list[Prisoner]:
    """People whose name in any spelling contains the query, ignoring case and diacritics."""
    words = names.fold(query).split()
    if not words:
        return []
    conditions = [col(Prisoner.search_key).contains(word) for word in words]
    result = await session.exec(
        select_model(Prisoner)
        .where(*conditions)
        .order_by(col(Prisoner.status) != PrisonerStatus.ACTIVE.value, col(Prisoner.name_ru))
        .limit(limit + 1)
    )
    return list(result.all())


async def get(session: AsyncSession, prisoner_id: int) -> Prisoner | None:
    return await session.get(Prisoner, prisoner_id)


@dataclass(frozen=True)
class Facility:
    key: str
    name_ru: str
    name_be: str
    town_ru: str | None = None
    town_be: str | None = None


async def facilities(session: AsyncSession) -> list[Facility]:
    """Facilities where writable people are held, with their town, naturally sorted by their Russian
    name (ИК №2 before ИК №15)."""
    held_here = (writable(), col(Prisoner.facility_key).is_not(None))
    result = await session.exec(
        select_model(Prisoner.facility_key, Prisoner.institution_ru, Prisoner.institution_be)
        .where(*held_here)
        .distinct()
        .order_by(col(Prisoner.institution_ru), col(Prisoner.facility_key))
    )
    addresses = await session.exec(
        select_model(Prisoner.facility_key, Prisoner.address_ru, Prisoner.address_be)
        .where(*held_here)
        .distinct()
        .order_by(col(Prisoner.facility_key), col(Prisoner.address_ru))
    )
    towns: dict[str, tuple[str | None, str | None]] = {}
    for key, address_ru, address_be in addresses.all():
        if key and key not in towns:
            towns[key] = (envelope.town(address_ru or ""), envelope.town(address_be or ""))
    seen: dict[str, Facility] = {}
    for key, ru, be in result.all():
        if key and key not in seen:
            seen[key] = Facility(key, ru or "", be or ru or "", *towns.get(key, (None, None)))
    return sorted(seen.values(), key=lambda found: (filters.natural(found.name_ru), found.key))


async def facility(session: AsyncSession, key: str) -> Facility | None:
    return next((found for found in await facilities(session) if found.key == key), None)


async def interest_named(session: AsyncSession, key: str) -> str | None:
    """The interest whose key this is, among those of writable people now (not only the ones offered
    first: a saved filter keeps working when an interest becomes rarer)."""
    return next((interest for interest in await interests(session, limit=None) if filters.key(interest) == key), None)


async def interests(session: AsyncSession, limit: int | None = 12) -> list[str]:
    result = await session.exec(
        select_model(Prisoner.interests).where(writable(), col(Prisoner.interests).is_not(None))
    )
    counted: dict[str, int] = {}
    for value in result.all():
        for interest in (value or "").split(";"):
            if interest.strip():
                counted[interest.strip()] = counted.get(interest.strip(), 0) + 1
    return sorted(counted, key=lambda item: (-counted[item], item))[:limit]


async def find_one(session: AsyncSession, query: str) -> Prisoner | None:
    """The person an admin or a coordinator names: by the list's id (source_id), else by a part of the
    name that only one person matches."""
    if not query:
        return None
    exact = (await session.exec(select_model(Prisoner).where(col(Prisoner.source_id) == query))).first()
    if exact is not None:
        return exact
    found = await search(session, query, limit=2)
    return found[0] if len(found) == 1 else None
