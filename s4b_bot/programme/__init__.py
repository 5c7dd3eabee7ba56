"""The programme: its sessions, how they are shown, loaded, repeated and changed."""
