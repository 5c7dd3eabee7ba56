"""Calendar files: invitations (RFC 5545/5546), the series file, feeds and .ics import."""
