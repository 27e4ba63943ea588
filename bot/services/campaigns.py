"""Campaigns: a target to write within, a deep link that opens it, and the letters logged through it.

A letter counts for a campaign when the supporter logs it for a person the campaign suggested or showed
them (the hold carries the campaign). The count is kept per person and day, with no supporter in it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import privacy
from bot.config import LOCALES, Locale
from bot.models import Campaign, CampaignTally, Hold, Prisoner
from bot.services import audit, suggestions, upsert

TARGETS = ("person", "facility", "birthdays", "date")
CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: a link read aloud or typed stays right
CODE_LENGTH = 8


@dataclass
class Results:
    letters: int
    people_reached: int  # people in the target who got at least one letter through it
    people_in_target: int  # writable people in the target now
    by_day: list[tuple[date, int]] = field(default_factory=list)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def create(
    session: AsyncSession, *, staff_id: int, now: datetime, target: str, prisoner_id: int | None = None,
    facility_key: str | None = None, first_day: date | None = None, last_day: date | None = None,
) -> Campaign:  # fmt: skip
    if target not in TARGETS:
        raise ValueError(f"unknown campaign target {target!r}")
    campaign = Campaign(
        code=new_code(), created_by=staff_id, created_at=now, target=target, prisoner_id=prisoner_id,
        facility_key=facility_key, first_day=first_day, last_day=last_day,
    )  # fmt: skip
    session.add(campaign)
    await session.flush()
    audit.record(
        session, at=now, actor=staff_id, action="campaign.create",
        detail=f"#{campaign.id} {target} {prisoner_id or facility_key or ''} {first_day or ''} {last_day or ''}",
    )  # fmt: skip
    return campaign


def texts(campaign: Campaign) -> dict[Locale, str]:
    given = {"be": campaign.text_be, "ru": campaign.text_ru, "en": campaign.text_en}
    return {locale: text for locale in LOCALES if (text := given[locale])}


def text_for(campaign: Campaign, locale: str) -> str | None:
    """The campaign's text in the reader's language, else the first one written (be, ru, en)."""
    given: dict[str, str] = {str(k): v for k, v in texts(campaign).items()}
    return given.get(locale) or next(iter(given.values()), None)


async def by_code(session: AsyncSession, code: str) -> Campaign | None:
    result = await session.exec(select(Campaign).where(col(Campaign.code) == code))
    return result.first()


async def get(session: AsyncSession, campaign_id: int) -> Campaign | None:
    return await session.get(Campaign, campaign_id)


async def recent(session: AsyncSession, limit: int = 10) -> list[Campaign]:
    result = await session.exec(select(Campaign).order_by(col(Campaign.id).desc()).limit(limit))
    return list(result)


def birthdays_between(first: date, last: date) -> list[tuple[int, int]]:
    """The (month, day) pairs from `first` to `last`, both counted (at most a year's worth)."""
    days = min((last - first).days, 365)
    return sorted({((first + timedelta(days=n)).month, (first + timedelta(days=n)).day) for n in range(days + 1)})


def within(campaign: Campaign) -> ColumnElement[bool] | None:
    """The people a campaign's suggestions come from; None for anyone (a letter night)."""
    if campaign.target == "person":
        return col(Prisoner.id) == (campaign.prisoner_id or 0)
    if campaign.target == "facility":
        return col(Prisoner.facility_key) == (campaign.facility_key or "")
    if campaign.target == "birthdays" and campaign.first_day and campaign.last_day:
        codes = [month * 100 + day for month, day in birthdays_between(campaign.first_day, campaign.last_day)]
        return (col(Prisoner.birth_month) * 100 + col(Prisoner.birth_day)).in_(codes)
    return None


async def count_letter(session: AsyncSession, *, supporter_id: int, prisoner_id: int, day: date, now: datetime) -> None:
    """A letter was logged: if a campaign brought the supporter to this person, count it for the campaign."""
    hold = (
        await session.exec(
            select(Hold.campaign_id)
            .where(
                col(Hold.supporter_id) == supporter_id,
                col(Hold.prisoner_id) == prisoner_id,
                col(Hold.campaign_id).is_not(None),
                # The campaign brought them to this person within the time a hold row is kept: the
                # letter counts for it even if they looked at someone else since, or logged it late.
                col(Hold.created_at) > now - timedelta(days=privacy.HOLD_KEEP_DAYS),
            )
            .order_by(col(Hold.id).desc())
        )
    ).first()
    if hold is None:
        return
    await session.exec(
        upsert.insert_ignoring(session, CampaignTally, ["campaign_id", "prisoner_id", "day"]).values(
            campaign_id=hold, prisoner_id=prisoner_id, day=day, letters=0
        )
    )
    await session.exec(
        update(CampaignTally)
        .where(
            col(CampaignTally.campaign_id) == hold,
            col(CampaignTally.prisoner_id) == prisoner_id,
            col(CampaignTally.day) == day,
        )
        .values(letters=col(CampaignTally.letters) + 1)
    )


async def results(session: AsyncSession, campaign: Campaign) -> Results:
    tallies = and_(col(CampaignTally.campaign_id) == campaign.id)
    letters, reached = (
        await session.exec(
            select(
                func.coalesce(func.sum(CampaignTally.letters), 0), func.count(func.distinct(CampaignTally.prisoner_id))
            ).where(tallies)
        )
    ).one()  # fmt: skip
    target = [suggestions.writable()]
    condition = within(campaign)
    if condition is not None:
        target.append(condition)
    people = (await session.exec(select(func.count()).select_from(Prisoner).where(*target))).one()
    by_day = (
        await session.exec(
            select(col(CampaignTally.day), func.sum(CampaignTally.letters))
            .where(tallies)
            .group_by(col(CampaignTally.day))
            .order_by(col(CampaignTally.day))
        )
    ).all()
    return Results(int(letters), int(reached), int(people), [(day, int(n)) for day, n in by_day])


async def find_facility(session: AsyncSession, wanted: str) -> suggestions.Facility | None:
    """The one facility with writable people whose name (ru or be) contains `wanted`; None if none or several."""
    folded = wanted.casefold()
    matching = [
        facility
        for facility in await suggestions.facilities(session)
        if folded in facility.name_ru.casefold() or folded in facility.name_be.casefold()
    ]
    return matching[0] if len(matching) == 1 else None
