"""`make demo`: a fictional département to try the site (dataset.py), loaded by `manage.py load_demo`.

A tool beside the apps: it builds its data through the apps' workflows, and no app imports it."""
