"""Summary pages: the page model, its HTML, its addresses and its PDF."""
