"""``parley serve``: the dashboard in a browser, for those holding a token.

``accounts`` says who may sign in and as whom; ``server`` is textual-serve's web
front end behind a gate (token, origin, host, a cap on sessions).
"""
