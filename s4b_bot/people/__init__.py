"""People: linked accounts, their own data, help, and the programme's figures."""
