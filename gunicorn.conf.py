"""gunicorn reads this file from the working directory (the repository root).

Header fields up to 16 KB reach the app, which answers anything over 8 KB with a 431 in
the API's error shape (mathvidya/request_limits.py); only fields beyond 16 KB get
gunicorn's own plain 431/400 page."""

limit_request_field_size = 16 * 1024
