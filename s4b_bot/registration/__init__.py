"""Registration: the form, seats and the waitlist, and the organizer's roster."""
