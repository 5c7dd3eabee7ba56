"""Turn typed answers into form values: "spring, summer" into session ids, "yes" into True."""

from __future__ import annotations

from s4b_bot import FormField, FormValue, not_a_choice

YES = {"y", "yes", "true", "1", "x", "agree", "i agree"}
NO = {"n", "no", "false", "0", ""}


class AnswerError(ValueError):
    """A typed answer that does not fit its field; the message says why."""


def parse_answer(field: FormField, text: str) -> FormValue:
    text = text.strip()
    if field.kind == "checkbox":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise AnswerError(f"{field.id}: answer yes or no.")
    if field.kind == "single_choice":
        return _choose(field, text) if text else None
    if field.kind == "multi_select":
        return (
            tuple(
                _choose(field, word) for word in text.replace(";", ",").split(",") if word.strip()
            )
            if text.lower() != "all"
            else tuple(c.value for c in field.choices)
        )
    return text


def _choose(field: FormField, word: str) -> str:
    wanted = word.strip().lower()
    exact = [c for c in field.choices if wanted == c.value or wanted in c.aliases]
    if len(exact) == 1:
        return exact[0].value
    partial = [c for c in field.choices if wanted in c.label.lower()]
    if len(partial) == 1:
        return partial[0].value
    options = [c.aliases[0] if c.aliases else c.value for c in field.choices]
    raise AnswerError(f"{field.id}: {not_a_choice(word.strip(), options)}")
