"""The linking commands: `/s4b link` gives or takes a one-time code that joins two accounts
into one person, `/s4b link here` chooses where reminders and DMs go, `/s4b unlink` undoes.

The account that asks for a code is (or belongs to) the primary member; the account that
types the code joins it (`accounts.join` moves what it owns), and from then on the core acts
for the primary whichever account types.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, select

from s4b_bot.context import Context
from s4b_bot.errors import UserError
from s4b_bot.outbox.cache import dm_account
from s4b_bot.output import Message, Outcome
from s4b_bot.people.accounts import Moved, accounts_of, join, platforms_of, retarget
from s4b_bot.routing.route import Args
from s4b_bot.words import TRY_AGAIN, duration, plural
from storage.models import Account, LinkCode

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits nobody misreads: no 0/O, 1/I/L."""
CODE_LENGTH = 6
CODE_LIFETIME = timedelta(minutes=15)
PLATFORM_NAMES = {"slack": "Slack", "discord": "Discord", "console": "the console"}


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)


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
        raise UserError(f"I could not make a code just now. {TRY_AGAIN}")
    ctx.db.add(LinkCode(code=code, member_id=ctx.account.id, expires_at=ctx.now + CODE_LIFETIME))
    here = platform_name(ctx.actor.platform)
    return Outcome(
        reply=Message.plain(
            f"Your link code: {code}",
            f"On your other account (the other platform), type `/s4b link {code}` within "
            f"{duration(CODE_LIFETIME)}; it works once. That account then joins this one on "
            f"{here}: its registrations, ideas and votes move here, and either account can use "
            "the bot as you.",
            "Keep the code to yourself: whoever types it acts as you.",
        )
    )


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
            f"The code {code} has expired (codes last {duration(CODE_LIFETIME)}). "
            "Type `/s4b link` on your other account for a new one."
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
    platforms = await platforms_of(ctx.db, [*joining, *theirs])
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
            settings=ctx.settings,
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
            f"{plural(moved.ideas, 'idea')} and {plural(moved.votes, 'vote')}{merged}."
            + (
                f" The seat offered to you in {plural(moved.offers, 'session')} ended: you "
                "already had a place there on the other account."
                if moved.offers
                else ""
            ),
            f"Reminders and direct messages go to {platform_name(platforms[dm.id])}; "
            "`/s4b link here` sends them to the account you type it on. "
            "`/s4b unlink` undoes the link.",
        )
    )


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
        platforms = await platforms_of(ctx.db, [primary])
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
    platforms = await platforms_of(ctx.db, linked)
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
