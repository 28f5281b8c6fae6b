"""The dialogs any view or screen may open: each a modal screen that shows no view."""
