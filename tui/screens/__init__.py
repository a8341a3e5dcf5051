"""Modal screens and the command palette's commands."""
