"""Who is an admin or a coordinator: grants in the database plus BOT_ADMIN_IDS from the start."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Role, RoleGrant
from bot.services import audit, upsert


async def roles_of(session: AsyncSession, telegram_id: int, env_admins: frozenset[int]) -> set[Role]:
    """The roles a user holds now; checked on every privileged command and button press."""
    result = await session.exec(select(RoleGrant.role).where(RoleGrant.telegram_id == telegram_id))
    roles = {Role(value) for value in result.all()}
    if telegram_id in env_admins:
        roles.add(Role.ADMIN)
    return roles


async def grant(session: AsyncSession, *, telegram_id: int, role: Role, by: int | None, now: datetime) -> bool:
    """Grant a role; False if the user already had it (also when another process granted it a moment ago)."""
    statement = (
        upsert.insert_ignoring(session, RoleGrant, ["telegram_id", "role"])
        .values(telegram_id=telegram_id, role=role.value, granted_by=by, granted_at=now)
        .returning(RoleGrant.id)
    )
    if (await session.exec(statement)).first() is None:
        return False
    audit.record(session, at=now, actor=by, action=f"role.grant.{role.value}", subject=telegram_id)
    return True


async def revoke(session: AsyncSession, *, telegram_id: int, role: Role, by: int | None, now: datetime) -> bool:
    """Revoke a role; False if the user did not have it."""
    result = await session.exec(
        delete(RoleGrant).where(col(RoleGrant.telegram_id) == telegram_id, col(RoleGrant.role) == role.value)
    )
    if not result.rowcount:
        return False
    audit.record(session, at=now, actor=by, action=f"role.revoke.{role.value}", subject=telegram_id)
    return True


class Refusal(enum.StrEnum):
    """Why a role cannot be taken back in the chat."""

    ENV_ADMIN = "env_admin"  # an admin through BOT_ADMIN_IDS: only the operator's configuration changes that
    LAST_ADMIN = "last_admin"  # no admin would be left to grant roles in the chat


def why_not_revoke(telegram_id: int, role: Role, *, admins: set[int], env_admins: frozenset[int]) -> Refusal | None:
    """None if an admin in the chat may take this role back (the operator's CLI is not held by these rules)."""
    if role is Role.ADMIN and telegram_id in env_admins:
        return Refusal.ENV_ADMIN
    if role is Role.ADMIN and not admins - {telegram_id}:
        return Refusal.LAST_ADMIN
    return None


async def admins(session: AsyncSession, env_admins: frozenset[int]) -> set[int]:
    """Everyone who is an admin now: grants and BOT_ADMIN_IDS."""
    result = await session.exec(select(RoleGrant.telegram_id).where(RoleGrant.role == Role.ADMIN.value))
    return set(result.all()) | env_admins


async def staff(session: AsyncSession, env_admins: frozenset[int]) -> set[int]:
    """Everyone who holds a role now."""
    result = await session.exec(select(RoleGrant.telegram_id))
    return set(result.all()) | env_admins


async def grants(session: AsyncSession) -> list[RoleGrant]:
    """Every grant, admins first, oldest first."""
    result = await session.exec(select(RoleGrant).order_by(col(RoleGrant.role), col(RoleGrant.granted_at)))
    return list(result.all())


async def grant_by_id(session: AsyncSession, grant_id: int) -> RoleGrant | None:
    return await session.get(RoleGrant, grant_id)


async def grant_of(session: AsyncSession, telegram_id: int, role: Role) -> RoleGrant | None:
    result = await session.exec(
        select(RoleGrant).where(col(RoleGrant.telegram_id) == telegram_id, col(RoleGrant.role) == role.value)
    )
    return result.first()
