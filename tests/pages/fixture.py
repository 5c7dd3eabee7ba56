"""A real-sized one-page summary, as a facilitator writes it after a session (over 3,000
characters over the four sections, with lists and links), for the page and print tests."""

from __future__ import annotations

REAL_SUMMARY = {
    "insights": (
        "Belonging starts with being asked, not with being welcomed: several participants "
        "described joining a group for years before anyone asked what they would bring.\n\n"
        "- **Small towns and big cities differ less than expected.** In both, people named the "
        "same three places where they feel they belong: the library, a sports club, and a "
        "neighbour's kitchen.\n"
        "- **Newcomers carry the load of fitting in.** Participants who arrived in Canada in the "
        "last five years spoke of learning unwritten rules alone; long-time residents rarely "
        "noticed those rules existed.\n"
        "- **Online spaces help only when they lead somewhere.** A group chat keeps people in "
        "touch, but belonging grew when the chat led to a shared task, such as a garden day.\n"
        "- **Youth want roles, not seats.** Young participants asked to run part of a meeting "
        "rather than be invited to sit on a committee that meets at 10 a.m. on a weekday."
    ),
    "recommendations": (
        "1. Municipal councils should fund *belonging hosts*: paid part-time roles in libraries "
        "and community centres whose job is to ask newcomers what they would like to do.\n"
        "2. Funders should accept a short story of change alongside attendance counts, so that "
        "programmes are not pushed to chase numbers over depth.\n"
        "3. Every community meeting should open with a round of names and one question that "
        "anyone can answer, and close by asking who will bring a friend next time.\n"
        "4. Partners should publish meeting times that work for shift workers and students: at "
        "least one evening and one weekend slot each month.\n"
        "5. The working group should draft a one-page belonging checklist for public buildings "
        "by the Summer session, tested in two libraries and one recreation centre."
    ),
    "resources": (
        "- The *Belonging Barometer* survey method, which a library in Halifax adapted for "
        "its members: <https://example.org/belonging-barometer>\n"
        "- [Welcoming Communities toolkit](https://example.org/welcoming-toolkit) (bilingual, "
        "with printable handouts for front-desk staff)\n"
        "- Community Foundations' *Vital Signs* reports on belonging, by region\n"
        "- A reading list gathered in the chat: *The Art of Gathering* (Priya Parker), "
        "*Palaces for the People* (Eric Klinenberg), *Bowling Alone* (Robert Putnam)\n"
        "- Questions to ask a newcomer, shared by the Thunder Bay settlement office: "
        "[question cards](https://example.org/question-cards)\n"
        "- Contact for the toolkit's authors: <mailto:toolkit@example.org>"
    ),
    "collaboration": (
        "- **Libraries as co-hosts.** Three library systems (Halifax, Saskatoon, Kamloops) offered "
        "a room and a staff member to co-host the Summer session locally.\n"
        "- **A youth-led evening.** The youth council of a Winnipeg community centre would run an "
        "evening session on roles for young people, with the working group's support.\n"
        "- **Shared map of belonging projects.** Participants proposed a public map of local "
        "projects; a university mapping lab is willing to host it if the group gathers entries.\n"
        "- **Funders' round table.** Two community foundations asked to join the Fall session to "
        "hear the recommendations on reporting first-hand.\n"
        "- **Translation help.** Volunteers offered to translate the checklist into French, "
        "Arabic, Tagalog and Punjabi once it is drafted."
    ),
    "attendance": "38 participants from 14 communities, 6 provinces and 1 territory",
}
