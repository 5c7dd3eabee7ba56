"""Follow-up ideas between sessions: members submit and vote; organizers review, carry an
idea to a session, mark it done, hide it, or merge duplicates; a digest of the top open
ideas reaches the organizers and the ideas channel before each session.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from s4b_bot.context import Context
from s4b_bot.conversation import audit
from s4b_bot.errors import NotFound, UserError
from s4b_bot.outbox.cache import cached_session
from s4b_bot.outbox.kinds import (
    MOVED_OR_CANCELLED,
    Change,
    Draft,
    Rendering,
    Withdraw,
    channel_post,
    member_dm,
    ts,
)
from s4b_bot.outbox.planning import plan_broadcast
from s4b_bot.output import Button, Card, Field, Message, Outcome, Text
from s4b_bot.programme.sessions import is_over, resolve
from s4b_bot.routing.actions import action_id
from s4b_bot.routing.route import Args
from s4b_bot.validate import clean_text
from s4b_bot.words import plural
from storage import outbox, queries
from storage.models import Account, Idea, ProgrammeSession, Vote

MAX_IDEA = 500
MIN_IDEA = 10
IDEAS = "ideas"
LISTED = 15
STATUS_LABELS = {
    "open": "Open",
    "review": "Under review",
    "carried": "Carried to a session",
    "done": "Done",
    "hidden": "Hidden",
    "merged": "Merged",
}
VISIBLE = ("open", "review", "carried", "done")


async def scores(db: AsyncSession, idea_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Idea id -> (votes for, votes against)."""
    if not idea_ids:
        return {}
    rows = await db.execute(
        select(Vote.idea_id, Vote.value, func.count())
        .where(Vote.idea_id.in_(list(idea_ids)))
        .group_by(Vote.idea_id, Vote.value)
    )
    result: dict[int, tuple[int, int]] = {}
    for idea_id, value, count in rows:
        up, down = result.get(idea_id, (0, 0))
        result[idea_id] = (up + count, down) if value > 0 else (up, down + count)
    return result


async def find_idea(db: AsyncSession, idea_id: int) -> Idea:
    """Idea #`idea_id`, or NotFound naming the command that lists them."""
    idea = await db.get(Idea, idea_id)
    if idea is None:
        raise NotFound(f"There is no idea #{idea_id}. `/s4b ideas` lists them.")
    return idea


def idea_number(value: object) -> int:
    """An idea number as typed ("12" or "#12"), or a UserError saying what was expected."""
    text = str(value).strip().lstrip("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise UserError(f"{str(value)[:20]!r} is not an idea number, like 12 or #12.")
    return int(text)


async def idea_card(db: AsyncSession, idea: Idea, *, buttons: bool) -> Card:
    up, down = (await scores(db, [idea.id])).get(idea.id, (0, 0))
    status = STATUS_LABELS[idea.status]
    if idea.status == "carried" and idea.carried_to_id:
        carried = await queries.session_by_id(db, idea.carried_to_id)
        status = f"Carried to the {carried.season} session" if carried else status
    if idea.status == "merged" and idea.merged_into_id:
        status = f"Merged into #{idea.merged_into_id}"
    fields = [Field("Votes", Text.of(f"▲ {up} · ▼ {down}")), Field("Status", Text.of(status))]
    if idea.session_id:
        session = await queries.session_by_id(db, idea.session_id)
        if session is not None:
            fields.append(Field("About", Text.of(f"the {session.season} session")))
    actions: tuple[Button, ...] = ()
    if buttons and idea.status in ("open", "review", "carried"):
        actions = (
            Button("▲ Support", action_id("vote_up", idea.id), "primary"),
            Button("▼ Not for me", action_id("vote_down", idea.id)),
            Button("Report", action_id("report", idea.id), "danger"),
        )
    return Card(
        title=f"Idea #{idea.id}", body=(Text.of(idea.text),), fields=tuple(fields), buttons=actions
    )


async def idea_message(db: AsyncSession, idea: Idea) -> Message:
    """The idea's post in the ideas channel (redrawn when votes or status change)."""
    if idea.status in ("hidden",):
        return Message.plain(f"Idea #{idea.id} was hidden by the organizers.")
    return Message(cards=(await idea_card(db, idea, buttons=True),))


async def redraw(db: AsyncSession, idea: Idea, now: datetime) -> None:
    """Plan an edit of the idea's post: votes or status changed."""
    idea.version += 1
    idea.updated_at = now
    key = IDEA_POST.key(idea=idea)
    await plan_broadcast(
        db, IDEA_POST, dedupe_key=key, due_at=now, now=now, payload={"idea": idea.id}
    )


async def submit_idea(ctx: Context, args: Args) -> Outcome:
    """`/s4b idea <text> [--session <session>]`."""
    text = clean_text("Your idea", args["text"], max_length=MAX_IDEA, multiline=True)
    if len(text) < MIN_IDEA:
        raise UserError(f"Say a little more: an idea needs at least {MIN_IDEA} characters.")
    about = args.maybe_session()
    session_id = about.id if about else None
    idea = Idea(
        member_id=ctx.person.id,
        text=text,
        session_id=session_id,
        status="open",
        version=1,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.db.add(idea)
    await ctx.db.flush()
    await plan_broadcast(
        ctx.db,
        IDEA_POST,
        dedupe_key=IDEA_POST.key(idea=idea),
        due_at=ctx.now,
        now=ctx.now,
        payload={"idea": idea.id, "first": True},
    )
    return Outcome(
        reply=Message(
            text=(
                Text.of(
                    f"Thank you: your idea is #{idea.id}. It goes to the ideas channel, "
                    "where members can vote on it and discuss it."
                ),
            ),
            cards=(await idea_card(ctx.db, idea, buttons=False),),
        )
    )


async def list_ideas(ctx: Context, args: Args) -> Outcome:
    """`/s4b ideas [top|new|mine]`."""
    order = str(args.get("order") or "top")
    query = select(Idea)
    if order == "mine":
        query = query.where(Idea.member_id == ctx.person.id)
    else:
        query = query.where(Idea.status.in_(VISIBLE))
    ideas = list((await ctx.db.scalars(query.order_by(Idea.id.desc()))).all())
    if not ideas:
        empty = "You have not submitted an idea yet." if order == "mine" else "No ideas yet."
        return Outcome(reply=Message.plain(f"{empty} `/s4b idea <text>` adds one."))
    votes = await scores(ctx.db, [i.id for i in ideas])
    if order == "top":
        ideas.sort(
            key=lambda i: (-(votes.get(i.id, (0, 0))[0] - votes.get(i.id, (0, 0))[1]), -i.id)
        )
    cards = tuple([await idea_card(ctx.db, i, buttons=True) for i in ideas[:LISTED]])
    more = f" (showing {LISTED} of {len(ideas)})" if len(ideas) > LISTED else ""
    return Outcome(reply=Message(text=(Text.of(f"Ideas, {order}{more}:"),), cards=cards))


async def vote_up(ctx: Context, idea_id: int) -> Outcome:
    """The ▲ Support button."""
    return await vote(ctx, idea_id, 1)


async def vote_down(ctx: Context, idea_id: int) -> Outcome:
    """The ▼ Not for me button."""
    return await vote(ctx, idea_id, -1)


async def vote(ctx: Context, idea_id: int, value: int) -> Outcome:
    """A vote button: the same button again takes the vote back; the other one changes it."""
    idea = await find_idea(ctx.db, idea_id)
    if idea.status not in ("open", "review", "carried"):
        raise UserError(
            f"Idea #{idea.id} is {STATUS_LABELS[idea.status].lower()}; voting is closed."
        )
    existing = await ctx.db.scalar(
        select(Vote).where(Vote.idea_id == idea.id, Vote.member_id == ctx.person.id)
    )
    if existing is None:
        await ctx.db.execute(
            queries.insert_for(ctx.db, Vote)
            .values(idea_id=idea.id, member_id=ctx.person.id, value=value, created_at=ctx.now)
            .on_conflict_do_nothing(index_elements=["idea_id", "member_id"])
        )
        said = "Your vote is counted."
    elif existing.value == value:
        await ctx.db.delete(existing)
        said = "Your vote is taken back."
    else:
        existing.value = value
        said = "Your vote is changed."
    await ctx.db.flush()
    await redraw(ctx.db, idea, ctx.now)
    return Outcome(
        reply=Message(text=(Text.of(said),), cards=(await idea_card(ctx.db, idea, buttons=False),))
    )


async def change_status(ctx: Context, args: Args) -> Outcome:
    """`/s4b-admin idea <number> <open|review|carry|done|hide|merge> [session, idea or reason]`."""
    idea = await find_idea(ctx.db, idea_number(args["idea"]))
    action = args["action"]
    detail = (args.get("detail") or "").strip()
    before = idea.status
    if action == "carry":
        if not detail:
            raise UserError("Say which session: `/s4b-admin idea 12 carry summer`.")
        session = resolve(await queries.all_sessions(ctx.db), detail, now=ctx.now)
        if is_over(session, ctx.now) or session.status == "cancelled":
            raise UserError(
                f"The {session.season} session is not ahead; carry the idea to one that is."
            )
        idea.status, idea.carried_to_id = "carried", session.id
        note = f"carried to the {session.season} session"
    elif action == "merge":
        if not detail:
            raise UserError("Say which idea it duplicates: `/s4b-admin idea 12 merge 7`.")
        target = await find_idea(ctx.db, idea_number(detail))
        moved = await merge(ctx.db, idea, target)
        await redraw(ctx.db, target, ctx.now)
        note = f"merged into #{target.id} ({plural(moved, 'vote')} carried over)"
    else:
        idea.status = {"open": "open", "review": "review", "done": "done", "hide": "hidden"}[action]
        note = STATUS_LABELS[idea.status].lower()
    if idea.status == before and action not in ("merge",):
        audit.unchanged(ctx)
        return Outcome(reply=Message.plain(f"Idea #{idea.id} is already {note}; nothing changed."))
    await redraw(ctx.db, idea, ctx.now)
    reason = detail if action in ("hide", "open", "review", "done") else None
    audit.record(ctx, f"idea {action}", f"idea:{idea.id}", reason or None)
    told = (
        "Its author is told."
        if await tell_author(ctx, idea, note, reason)
        else "Its author asked to be forgotten, so nobody is told."
    )
    return Outcome(reply=Message.plain(f"Idea #{idea.id} is now {note}. {told}"))


async def merge(db: AsyncSession, duplicate: Idea, target: Idea) -> int:
    """Move votes from a duplicate to the idea it repeats, counting no member twice."""
    if duplicate.id == target.id:
        raise UserError("An idea cannot be merged into itself.")
    if target.status in ("merged", "hidden"):
        raise UserError(f"Idea #{target.id} is {target.status}; merge into an idea that is not.")
    voters = set((await db.scalars(select(Vote.member_id).where(Vote.idea_id == target.id))).all())
    moved = 0
    for ballot in (await db.scalars(select(Vote).where(Vote.idea_id == duplicate.id))).all():
        if ballot.member_id is not None and ballot.member_id in voters:
            await db.delete(ballot)
        else:
            ballot.idea_id = target.id
            moved += 1
    duplicate.status, duplicate.merged_into_id = "merged", target.id
    await db.flush()
    return moved


async def tell_author(ctx: Context, idea: Idea, note: str, reason: str | None) -> bool:
    """Plan the author's DM; False when the idea has no author any more (forget-me)."""
    if idea.member_id is None:
        return False
    author = await ctx.db.get(Account, idea.member_id)
    if author is None:
        return False
    community = await author.awaitable_attrs.community
    await outbox.plan(
        ctx.db,
        dedupe_key=IDEA_STATUS.key(idea=idea),
        kind=IDEA_STATUS.name,
        due_at=ctx.now,
        now=ctx.now,
        platform=community.platform,
        member_id=author.id,
        payload={"idea": idea.id, "note": note, "reason": reason},
    )
    return True


def status_notice(idea: Idea, note: str, reason: str | None) -> Message:
    why = f" Reason: {reason}" if reason else ""
    return Message.plain(f"Your idea #{idea.id} is now {note}.{why}", f"“{idea.text[:200]}”")


async def digest_message(
    db: AsyncSession, session: ProgrammeSession, *, top: int = 10
) -> Message | None:
    """The top open ideas by votes, to feed the next session's agenda."""
    ideas = list(
        (await db.scalars(select(Idea).where(Idea.status.in_(("open", "review", "carried"))))).all()
    )
    if not ideas:
        return None
    votes = await scores(db, [i.id for i in ideas])
    ideas.sort(key=lambda i: (-(votes.get(i.id, (0, 0))[0] - votes.get(i.id, (0, 0))[1]), i.id))
    lines = []
    for n, i in enumerate(ideas[:top], start=1):
        up, down = votes.get(i.id, (0, 0))
        lines.append(f"{n}. #{i.id} (▲ {up} · ▼ {down}) {i.text[:200]}")
    return Message(
        text=(
            Text.of(
                f"Ideas digest before the {session.season} session: "
                "the top open ideas, to feed its agenda."
            ),
        ),
        cards=(Card(title=f"Top {plural(len(lines), 'idea')}", body=(Text.of("\n".join(lines)),)),),
    )


async def _render_post(r: Rendering) -> Draft:
    idea = await r.db.get(Idea, int(r.row.payload["idea"]))
    if idea is None:
        raise Withdraw("idea gone")
    key = f"idea:{idea.id}"
    ref = await outbox.get_ref(r.db, platform=r.platform, community_id=r.community.id, key=key)
    if ref is None and idea.status in ("hidden", "merged"):
        raise Withdraw("hidden before it was posted")
    title = None if ref else f"Idea #{idea.id}: {idea.text[:80]}"
    message = await idea_message(r.db, idea)
    return Draft(message, channel=IDEAS, ref=ref, ref_key=key, thread_title=title)


async def _render_status(r: Rendering) -> Draft:
    idea = await r.db.get(Idea, int(r.row.payload["idea"]))
    if idea is None:
        raise Withdraw("idea gone")
    reason = r.row.payload.get("reason")
    return Draft(status_notice(idea, str(r.row.payload["note"]), str(reason) if reason else None))


async def _render_digest(r: Rendering) -> Draft:
    session = await cached_session(r.db, r.row.session_id or 0)
    if session is None or session.status == "cancelled" or session.starts_at <= r.now:
        raise Withdraw("session gone, cancelled or started")
    message = await digest_message(r.db, session)
    if message is None:
        raise Withdraw("no open ideas to digest")
    return Draft(message, channel=str(r.row.payload.get("channel", IDEAS)))


def _post_key(*, idea: Idea) -> str:
    return f"idea_post:{idea.id}:{idea.version}"


def _status_key(*, idea: Idea) -> str:
    return f"idea_status:{idea.id}:{idea.version}"


def _digest_key(*, session: ProgrammeSession, channel: str) -> str:
    return f"digest:{session.id}:{ts(session.starts_at)}:{channel}"


# An idea outlives the sessions: nothing withdraws its post.
IDEA_POST = channel_post("idea_post", "idea post", _post_key, _render_post, ())
IDEA_STATUS = member_dm(
    "idea_status", "idea status notice", _status_key, _render_status, [Change.FORGET_ME]
)
IDEA_DIGEST = channel_post(
    "idea_digest", "ideas digest", _digest_key, _render_digest, MOVED_OR_CANCELLED
)
KINDS = (IDEA_POST, IDEA_STATUS, IDEA_DIGEST)
