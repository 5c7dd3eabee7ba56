"""The core's registration form as one modal, and its submission read back."""

from __future__ import annotations

import pytest

from adapters.discord.parse import form_values, modal_values, split_text_and_email
from adapters.discord.views import FormTooLarge, fit_label, form_modal, plan_inputs
from s4b_bot.output import Choice, Form, FormField
from s4b_bot.registration.form import (
    MAX_ABOUT,
    MAX_EMAIL,
    MAX_NAME,
    MAX_ORGANIZATION,
    registration_form,
)
from tests.adapters.discord import payloads, spec


def the_form(sessions: int = 4, ticked: int = 1) -> Form:
    form = registration_form(
        [], sessions=[], preselected=[], answers={"name": "Ada", "consent": True}
    )
    choices = tuple(Choice(str(i), f"Session {i}", (f"s{i}",)) for i in range(1, sessions + 1))
    fields = tuple(
        FormField(
            f.id,
            f.label,
            f.kind,
            f.required,
            f.max_length,
            f.hint,
            choices,
            tuple(c.value for c in choices[:ticked]),
        )
        if f.id == "sessions"
        else f
        for f in form.fields
    )
    return Form(form.id, form.title, fields, form.submit_label, form.intro)


async def test_registration_form_is_one_modal_of_five_components() -> None:
    modal = form_modal(the_form()).to_dict()
    spec.validate("create_interaction_response", {"type": 9, "data": modal})
    assert modal["custom_id"] == "s4b-form:register"
    components = {c["component"]["custom_id"]: c for c in modal["components"]}
    assert list(components) == ["name", "about", "organization+email", "sessions", "consent"]
    assert all(c["type"] == 18 for c in modal["components"])  # each in a Label
    name, about = components["name"]["component"], components["about"]["component"]
    assert (name["max_length"], name["required"], name["value"]) == (MAX_NAME, True, "Ada")
    assert (about["max_length"], about["style"]) == (MAX_ABOUT, 2)
    folded = components["organization+email"]["component"]
    assert folded["max_length"] == MAX_ORGANIZATION + 2 + MAX_EMAIL
    assert folded["required"] is False
    sessions = components["sessions"]["component"]
    assert sessions["type"] == 3 and (sessions["min_values"], sessions["max_values"]) == (1, 4)
    assert [o["default"] for o in sessions["options"]] == [True, False, False, False]
    consent = components["consent"]
    assert consent["component"] == {"type": 23, "custom_id": "consent", "default": True}
    assert len(consent["label"]) <= 45 and len(consent["description"]) <= 100
    label = consent["label"].removesuffix("…") + " " + consent["description"].removeprefix("…")
    assert label.startswith(the_form().field("consent").label)  # nothing of it lost


async def test_many_sessions_keep_the_ticked_ones_within_25_options() -> None:
    form = the_form(sessions=40, ticked=0)
    ticked = tuple(str(i) for i in (3, 39))
    fields = tuple(
        FormField(f.id, f.label, f.kind, f.required, f.max_length, f.hint, f.choices, ticked)
        if f.id == "sessions"
        else f
        for f in form.fields
    )
    modal = form_modal(Form(form.id, form.title, fields)).to_dict()
    spec.validate("create_interaction_response", {"type": 9, "data": modal})
    options = modal["components"][3]["component"]["options"]
    assert len(options) == 25
    assert {o["value"] for o in options if o["default"]} == {"3", "39"}
    assert [int(o["value"]) for o in options] == sorted(int(o["value"]) for o in options)


def test_a_form_that_cannot_fold_is_refused_not_truncated() -> None:
    fields = tuple(FormField(f"f{i}", f"Field {i}", "short_text") for i in range(6))
    with pytest.raises(FormTooLarge):
        plan_inputs(Form("big", "Big", fields))


def test_submitted_components_become_the_core_form_values() -> None:
    modal = form_modal(the_form()).to_dict()
    submitted = payloads.answers(
        modal,
        {
            "about": "A neighbour",
            "organization+email": "Community garden lead, ada@example.org",
            "sessions": ["1", "3"],
            "consent": True,
        },
    )
    assert form_values(modal_values(submitted)) == {
        "name": "Ada",
        "about": "A neighbour",
        "organization": "Community garden lead",
        "email": "ada@example.org",
        "sessions": ("1", "3"),
        "consent": True,
    }
    # The older layout (an action row around each input) reads the same.
    rows = [{"type": 1, "components": [c["component"]]} for c in submitted]
    assert modal_values(rows) == modal_values(submitted)


@pytest.mark.parametrize(
    ("typed", "organization", "email"),
    [
        ("Community garden lead, ada@example.org", "Community garden lead", "ada@example.org"),
        ("ada@example.org", "", "ada@example.org"),
        ("ada@example.org / Food bank", "Food bank", "ada@example.org"),
        ("Food bank", "Food bank", ""),
        ("", "", ""),
        ("Food bank, ada@", "Food bank", "ada@"),  # the core says what is wrong with it
    ],
)
def test_organization_and_email_are_told_apart(typed: str, organization: str, email: str) -> None:
    assert split_text_and_email(typed) == (organization, email)


def test_long_labels_continue_in_the_description() -> None:
    assert fit_label("Your name", None) == ("Your name", None)
    text, description = fit_label("word " * 20, "A hint.")
    assert len(text) <= 45 and text.endswith("…")
    assert description is not None and description.startswith("…") and "A hint." in description
