"""The interventionists' web console: server-rendered templates with HTMX; no front-end build."""
