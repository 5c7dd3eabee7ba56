"""One member across Slack and Discord: `/s4b link` joins two accounts into one person.

The account that asks for a code is (or belongs to) the primary member; the account that
types the code joins it: its registrations, ideas, votes and reports move to the primary,
counting nobody twice, and from then on the core acts for the primary whichever account
types. `/s4b link here` chooses where reminders and DMs go; `/s4b unlink` undoes a link.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.context import Context
from s4b_bot.conversation import ideas
from s4b_bot.errors import UserError
from s4b_bot.outbox import planning
from s4b_bot.outbox.deliveries import dm_account
from s4b_bot.output import Message, Outcome
from s4b_bot.registration.waitlist import lock_session, promote
from s4b_bot.routing.route import Args
from s4b_bot.words import plural
from storage import outbox
from storage.models import (
    Account,
    CalendarCopy,
    Community,
    Idea,
    LinkCode,
    OutboxMessage,
    Registration,
    Report,
    Vote,
)

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits nobody misreads: no 0/O, 1/I/L."""
CODE_LENGTH = 6
CODE_LIFETIME = timedelta(minutes=15)
PLATFORM_NAMES = {"slack": "Slack", "discord": "Discord", "console": "the console"}


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)


async def accounts_of(db: AsyncSession, person: Account) -> list[Account]:
    """The person's accounts: the primary member first, then the accounts linked to it."""
    rows = (
        await db.scalars(
            select(Account)
            .where(or_(Account.id == person.id, Account.person_id == person.id))
            .order_by(Account.id)
        )
    ).all()
    return sorted(rows, key=lambda m: (m.id != person.id, m.id))


async def _platforms(db: AsyncSession, accounts: Sequence[Account]) -> dict[int, str]:
    """Account id -> the platform of its community."""
    ids = {a.community_id for a in accounts}
    rows = await db.execute(select(Community.id, Community.platform).where(Community.id.in_(ids)))
    by_community = {cid: platform for cid, platform in rows}
    return {a.id: by_community[a.community_id] for a in accounts}


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """The code as stored: upper case, without the spaces or dashes people type in it."""
    code = re.sub(r"[\s-]+", "", text).upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        shown = text.strip()[:20]
        raise UserError(
            f"{shown!r} is not a link code: codes are {CODE_LENGTH} letters and digits, "
            "like K7M2QX. Type `/s4b link` on your other account to get one."
        )
    return code


async def link(ctx: Context, args: Args) -> Outcome:
    """`/s4b link [code]`: without a code, make one; with one, join that code's member."""
    code = args.get("code")
    if code is None:
        return await _make_code(ctx)
    return await _use_code(ctx, normalise_code(str(code)))


async def _make_code(ctx: Context) -> Outcome:
    """A fresh code for this person, replacing any earlier one (one live code per member)."""
    accounts = await accounts_of(ctx.db, ctx.person)
    await ctx.db.execute(
        delete(LinkCode).where(
            or_(
                LinkCode.member_id.in_([a.id for a in accounts]),
                LinkCode.expires_at <= ctx.now,
            )
        )
    )
    for _ in range(10):
        code = new_code()
        if await ctx.db.scalar(select(LinkCode.id).where(LinkCode.code == code)) is None:
            break
    else:  # pragma: no cover - 31**6 codes; ten collisions in a row do not happen
        raise UserError("I could not make a code just now; please try again.")
    ctx.db.add(LinkCode(code=code, member_id=ctx.account.id, expires_at=ctx.now + CODE_LIFETIME))
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    here = platform_name(ctx.actor.platform)
    return Outcome(
        reply=Message.plain(
            f"Your link code: {code}",
            f"On your other account (the other platform), type `/s4b link {code}` within "
            f"{minutes} minutes; it works once. That account then joins this one on {here}: "
            "its registrations, ideas and votes move here, and either account can use the bot "
            "as you.",
            "Keep the code to yourself: whoever types it acts as you.",
        )
    )


@dataclass
class Moved:
    """What joining one account to another moved, and what it merged."""

    registrations: int = 0
    ideas: int = 0
    votes: int = 0
    duplicates: int = 0


async def _use_code(ctx: Context, code: str) -> Outcome:
    # Locked: of two accounts typing one code at once, the second finds it gone.
    row = await ctx.db.scalar(select(LinkCode).where(LinkCode.code == code).with_for_update())
    if row is None:
        raise UserError(
            f"I do not know the code {code}: it may be mistyped or already used. "
            "Type `/s4b link` on your other account for a new one."
        )
    if row.expires_at <= ctx.now:
        raise UserError(
            f"The code {code} has expired (codes last {int(CODE_LIFETIME.total_seconds() // 60)} "
            "minutes). Type `/s4b link` on your other account for a new one."
        )
    source = await ctx.db.get(Account, row.member_id)
    assert source is not None  # the code is deleted with its member
    account = ctx.account
    if source.id == account.id:
        raise UserError(
            "That code was made on this account: type it on your account on the other platform."
        )
    primary = await ctx.db.get(Account, source.person_id) if source.person_id else source
    assert primary is not None
    if primary.id == ctx.person.id:
        await ctx.db.delete(row)
        return Outcome(reply=Message.plain("These accounts are already linked; nothing changed."))
    if account.person_id is not None:
        raise UserError(
            "This account is already linked to another one. Type `/s4b unlink` here first, "
            "then the code again."
        )
    joining = await accounts_of(ctx.db, account)
    theirs = await accounts_of(ctx.db, primary)
    platforms = await _platforms(ctx.db, [*joining, *theirs])
    shared = {platforms[a.id] for a in joining} & {platforms[a.id] for a in theirs}
    if shared:
        where = platform_name(sorted(shared)[0])
        raise UserError(
            f"Both accounts are on {where}. Linking joins your accounts on different platforms "
            "(Slack and Discord): type the code on your account on the other platform."
        )
    moved = Moved()
    for other in joining:
        await join(
            ctx.db,
            other,
            primary,
            moved=moved,
            now=ctx.now,
            default_offsets=ctx.settings.reminder_offsets,
        )
    await ctx.db.delete(row)
    await retarget(ctx.db, primary)
    dm = await dm_account(ctx.db, primary)
    here = platform_name(platforms[account.id])
    there = platform_name(platforms[primary.id])
    merged = (
        f" ({moved.duplicates} you had on both accounts counted once)" if moved.duplicates else ""
    )
    return Outcome(
        reply=Message.plain(
            f"Linked: this account on {here} now acts as {primary.display_name} on {there}. "
            f"Moved {plural(moved.registrations, 'registration')}, "
            f"{plural(moved.ideas, 'idea')} and {plural(moved.votes, 'vote')}{merged}.",
            f"Reminders and direct messages go to {platform_name(platforms[dm.id])}; "
            "`/s4b link here` sends them to the account you type it on. "
            "`/s4b unlink` undoes the link.",
        )
    )


async def join(
    db: AsyncSession,
    account: Account,
    primary: Account,
    *,
    moved: Moved,
    now: datetime,
    default_offsets: str,
) -> None:
    """Make `account` act as `primary`, moving everything it owns without doubling anything."""
    account.person_id = primary.id
    account.prefers_dm_here = False
    if account.id == primary.id:
        return
    await _move_registrations(db, account, primary, moved, now=now, default_offsets=default_offsets)
    await _move_calendar_copies(db, account, primary)
    await _move_votes(db, account, primary, moved, now=now)
    result = await db.execute(
        update(Idea)
        .where(Idea.member_id == account.id)
        .values(member_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    moved.ideas += int(getattr(result, "rowcount", 0) or 0)
    await db.execute(
        update(Report)
        .where(Report.reporter_id == account.id)
        .values(reporter_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.member_id == account.id, OutboxMessage.status == "pending")
        .values(member_id=primary.id)
        .execution_options(synchronize_session=False)
    )
    await db.execute(delete(LinkCode).where(LinkCode.member_id == account.id))
    if primary.timezone is None and account.timezone is not None:
        primary.timezone = account.timezone
    if primary.feed_token is None and account.feed_token is not None:
        # The calendar the member already subscribed to keeps working, now with every session.
        token, account.feed_token = account.feed_token, None
        await db.flush()
        primary.feed_token = token
    await db.flush()


async def _move_calendar_copies(db: AsyncSession, account: Account, primary: Account) -> None:
    """The person's calendar holds the latest file either account was sent for a session:
    keep that copy, so the next file goes above it."""
    copies = (
        await db.scalars(
            select(CalendarCopy).where(CalendarCopy.member_id.in_([account.id, primary.id]))
        )
    ).all()
    latest: dict[int, CalendarCopy] = {}
    for copy in sorted(copies, key=lambda c: c.sequence):
        latest[copy.session_id] = copy
    for copy in copies:
        if latest[copy.session_id] is not copy:
            await db.delete(copy)
    await db.flush()
    await db.execute(
        update(CalendarCopy)
        .where(CalendarCopy.member_id == account.id)
        .values(member_id=primary.id)
        .execution_options(synchronize_session=False)
    )


def _keeper(a: Registration, b: Registration) -> tuple[Registration, Registration]:
    """Of two registrations for one session, the one to keep (a seat over a waitlist place,
    then the earlier), and the one to drop."""
    ranked = sorted((a, b), key=lambda r: (r.status != "confirmed", r.id))
    return ranked[0], ranked[1]


async def _move_registrations(
    db: AsyncSession,
    account: Account,
    primary: Account,
    moved: Moved,
    *,
    now: datetime,
    default_offsets: str,
) -> None:
    mine = (
        await db.scalars(select(Registration).where(Registration.member_id == account.id))
    ).all()
    if not mine:
        return
    theirs = {
        r.session_id: r
        for r in (
            await db.scalars(select(Registration).where(Registration.member_id == primary.id))
        ).all()
    }
    freed: list[int] = []
    for registration in sorted(mine, key=lambda r: r.session_id):
        other = theirs.get(registration.session_id)
        if other is None:
            registration.member_id = primary.id
            moved.registrations += 1
            continue
        await lock_session(db, registration.session_id)
        keep, drop = _keeper(other, registration)
        await outbox.withdraw(
            db,
            kinds=planning.MEMBER_KINDS,
            session_id=registration.session_id,
            member_id=drop.member_id,
        )
        if keep.status == "confirmed" and drop.status == "confirmed":
            freed.append(registration.session_id)
        await db.delete(drop)
        await db.flush()
        keep.member_id = primary.id
        moved.duplicates += 1
    await db.flush()
    for session_id in freed:
        session = await lock_session(db, session_id)
        if session is not None:
            await promote(db, session, now=now, default_offsets=default_offsets)


async def _move_votes(
    db: AsyncSession, account: Account, primary: Account, moved: Moved, *, now: datetime
) -> None:
    mine = (await db.scalars(select(Vote).where(Vote.member_id == account.id))).all()
    if not mine:
        return
    voted = set((await db.scalars(select(Vote.idea_id).where(Vote.member_id == primary.id))).all())
    recount: set[int] = set()
    for ballot in mine:
        if ballot.idea_id in voted:
            await db.delete(ballot)
            recount.add(ballot.idea_id)
            moved.duplicates += 1
        else:
            ballot.member_id = primary.id
            moved.votes += 1
    await db.flush()
    for idea_id in sorted(recount):
        idea = await db.get(Idea, idea_id)
        if idea is not None:
            await ideas._redraw(db, idea, now)


async def retarget(db: AsyncSession, person: Account) -> int:
    """Send the person's pending DMs through the platform of their chosen account, so the
    dispatcher that runs that platform claims them."""
    account = await dm_account(db, person)
    community = await db.get(Community, account.community_id)
    assert community is not None
    result = await db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.member_id == person.id,
            OutboxMessage.status == "pending",
            OutboxMessage.kind.in_(planning.MEMBER_KINDS),
            OutboxMessage.platform != community.platform,
        )
        .values(platform=community.platform)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def link_here(ctx: Context, args: Args) -> Outcome:
    """`/s4b link here`: reminders and DMs go to the account that typed it."""
    accounts = await accounts_of(ctx.db, ctx.person)
    if len(accounts) < 2:
        raise UserError(
            "This account is not linked to another one, so your messages already come here. "
            "`/s4b link` links your Slack and Discord accounts."
        )
    here = ctx.account
    for account in accounts:
        account.prefers_dm_here = account.id == here.id
    await ctx.db.flush()
    await retarget(ctx.db, ctx.person)
    return Outcome(
        reply=Message.plain(
            f"Reminders and direct messages now come here, on {platform_name(ctx.actor.platform)}."
        )
    )


async def unlink(ctx: Context, args: Args) -> Outcome:
    """`/s4b unlink`: the account that typed it stops acting as the other one."""
    account = ctx.account
    if account.person_id is not None:
        primary = ctx.person
        platforms = await _platforms(ctx.db, [primary])
        account.person_id = None
        account.prefers_dm_here = False
        await ctx.db.flush()
        await retarget(ctx.db, primary)
        there = platform_name(platforms[primary.id])
        return Outcome(
            reply=Message.plain(
                f"This account is no longer linked to {primary.display_name} on {there}. "
                f"Your registrations, ideas and votes stay with that account, and its "
                "reminders go there. `/s4b link` links them again.",
            )
        )
    linked = (await ctx.db.scalars(select(Account).where(Account.person_id == account.id))).all()
    if not linked:
        raise UserError("This account is not linked to any other; nothing changed.")
    platforms = await _platforms(ctx.db, linked)
    for other in linked:
        other.person_id = None
        other.prefers_dm_here = False
    account.prefers_dm_here = False
    await ctx.db.flush()
    await retarget(ctx.db, account)
    names = ", ".join(f"{o.display_name} on {platform_name(platforms[o.id])}" for o in linked)
    return Outcome(
        reply=Message.plain(
            f"Unlinked: {names} no longer acts as you. Your registrations, ideas and votes stay "
            "with this account, and reminders come here. `/s4b link` links them again."
        )
    )
