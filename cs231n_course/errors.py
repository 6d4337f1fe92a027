"""The one error the course tools raise for a problem the user can fix."""


class CourseError(Exception):
    """A problem the user can fix; the message says how."""
