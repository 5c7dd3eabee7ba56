"""The feedback form: opened by the follow-up DM's button or `/s4b feedback <session>`,
answered once per member and session (answering again edits it), and only by someone who
came: a registrant of the session not marked absent.
"""

from __future__ import annotations

from collections.abc import Mapping

from s4b_bot.context import Context
from s4b_bot.errors import Forbidden, FormInvalid, NotFound, UserError
from s4b_bot.feedback.standing import Standing, answer_of, standing
from s4b_bot.invocation import FormValue
from s4b_bot.output import Choice, Form, FormField, Message, Outcome
from s4b_bot.programme.sessions import is_over, reference
from s4b_bot.registration.waitlist import lock_session
from s4b_bot.routing.route import Args
from s4b_bot.validate import clean_text
from s4b_bot.words import SESSION_GONE
from storage import queries
from storage.feedback import Feedback
from storage.models import ProgrammeSession

FORM_KEY = "feedback"
MAX_TEXT = 1_000
RATINGS = (
    Choice("1", "1 — poorly"),
    Choice("2", "2"),
    Choice("3", "3 — fine"),
    Choice("4", "4"),
    Choice("5", "5 — very well"),
)
YES_NO = (Choice("yes", "Yes, contact me", ("y",)), Choice("no", "No, thanks", ("n",)))
BAD_RATING = "Choose how it went with a number from 1 (poorly) to 5 (very well)."
BAD_CONTACT = "Answer yes or no: may the organizers contact you about collaboration?"


def feedback_form(session: ProgrammeSession, existing: Feedback | None) -> Form:
    return Form(
        id=f"{FORM_KEY}:{session.id}",
        title="Session feedback",
        intro=(
            f"The {session.season} session, “{session.title}”. The organizers see your "
            "answers; your name only if you agree to be contacted."
        ),
        fields=(
            FormField(
                "rating",
                "How did it go? (1 to 5)",
                "single_choice",
                choices=RATINGS,
                default=str(existing.rating) if existing else None,
            ),
            FormField(
                "worked",
                "What worked",
                "long_text",
                required=False,
                max_length=MAX_TEXT,
                default=existing.worked if existing else None,
            ),
            FormField(
                "change",
                "What to change",
                "long_text",
                required=False,
                max_length=MAX_TEXT,
                default=existing.change if existing else None,
            ),
            FormField(
                "contact",
                "Contact you about collaboration?",
                "single_choice",
                hint="If yes, the organizers see your name and email with your answers.",
                choices=YES_NO,
                default=("yes" if existing.contact else "no") if existing else None,
            ),
        ),
        submit_label="Send",
    )


async def _check(ctx: Context, session: ProgrammeSession) -> None:
    """Refuse anyone the form is not for, saying why; nothing changes."""
    if session.status == "cancelled":
        raise UserError(
            f"The {session.season} session was cancelled, so there is no feedback to give."
        )
    if not is_over(session, ctx.now):
        raise UserError(
            f"The {session.season} session has not taken place yet; "
            "its feedback form opens once it has ended."
        )
    where = await standing(ctx.db, ctx.person.id, session)
    if where is None:
        raise Forbidden(
            f"The {session.season} session's feedback form is for those who registered and "
            "came, so nothing was saved."
        )
    if where is Standing.MISSED:
        raise Forbidden(
            f"The organizers did not mark you as attending the {session.season} session, so "
            "its feedback form is not for you and nothing was saved. If you were there, "
            "`/s4b contact` says whom to ask."
        )


async def _open(ctx: Context, session: ProgrammeSession) -> Outcome:
    await _check(ctx, session)
    return Outcome(form=feedback_form(session, await answer_of(ctx.db, ctx.person.id, session.id)))


async def open_from_button(ctx: Context, session: ProgrammeSession) -> Outcome:
    """The follow-up DM's "Give feedback" button (`s4b:feedback:<session>`)."""
    return await _open(ctx, session)


async def open_from_command(ctx: Context, args: Args) -> Outcome:
    """`/s4b feedback <session>`: the form, for whoever missed the DM."""
    return await _open(ctx, args.session())


def _one(value: FormValue) -> str | None:
    """A single choice as a platform sends it: a string, or a list of one."""
    if isinstance(value, tuple):
        return value[0].strip().lower() if len(value) == 1 else None
    return value.strip().lower() if isinstance(value, str) else None


def _cleaned(values: Mapping[str, FormValue]) -> tuple[int, str, str, bool]:
    errors: dict[str, str] = {}
    rating = _one(values.get("rating"))
    if rating not in {c.value for c in RATINGS}:
        errors["rating"] = BAD_RATING
    contact = _one(values.get("contact"))
    if contact not in ("yes", "no"):
        errors["contact"] = BAD_CONTACT
    texts: dict[str, str] = {}
    for key, label in (("worked", "What worked"), ("change", "What to change")):
        raw = values.get(key)
        try:
            texts[key] = clean_text(
                label,
                raw if isinstance(raw, str) else "",
                max_length=MAX_TEXT,
                required=False,
                multiline=True,
            )
        except UserError as exc:
            errors[key] = str(exc)
    if errors:
        raise FormInvalid(errors)
    assert rating is not None
    return int(rating), texts["worked"], texts["change"], contact == "yes"


async def submit(ctx: Context, session_id: int, values: Mapping[str, FormValue]) -> Outcome:
    """Save the member's answer (or change it); a bad one changes nothing."""
    session = await queries.session_by_id(ctx.db, session_id)
    if session is None:
        raise NotFound(SESSION_GONE)
    await _check(ctx, session)
    rating, worked, change, contact = _cleaned(values)
    await lock_session(ctx.db, session.id)  # two quick submissions make one answer
    answer = await answer_of(ctx.db, ctx.person.id, session.id)
    if answer is None:
        answer = Feedback(session_id=session.id, member_id=ctx.person.id, created_at=ctx.now)
        ctx.db.add(answer)
        saved = "saved"
    else:
        saved = "updated"
    answer.rating, answer.worked, answer.change, answer.contact = rating, worked, change, contact
    answer.updated_at = ctx.now
    await ctx.db.flush()
    ref = reference(session, await queries.all_sessions(ctx.db))
    contacted = (
        "The organizers may contact you about collaboration."
        if contact
        else "The organizers will not contact you about it."
    )
    return Outcome(
        reply=Message.plain(
            f"Thank you! Your feedback on the {session.season} session is {saved}: "
            f"{rating} of 5. {contacted}",
            f"To change it, answer again: `/s4b feedback {ref}`. "
            "`/s4b my-data` shows it, `/s4b forget-me` erases it.",
        )
    )
