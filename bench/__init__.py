"""`make bench`: a national-size dataset (generate), the measures against their baselines (measure),
and the load test against gunicorn (load). Run through `manage.py bench`."""
