"""Web pages the bot publishes (a session's summary; later the year in review): the page
model, its safe HTML, and the same page as a PDF. Serving them is adapters/web's job."""
