"""Who is an admin or a coordinator: grants in the database plus BOT_ADMIN_IDS from the start."""

from __future__ import annotations

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
