"""An example web service over participatie: what a municipal application would copy.

A FastAPI application (:func:`examples.service.app.create_app`) over the library's public API
only: residents, their trajectories and job coaching as versioned JSON resources (``/v1/...``),
errors as ``application/problem+json`` (RFC 9457), identity from bearer JWTs, the caller's W3C
trace context handed to the library, and two server-rendered pages (register a resident; the
outcome report). Start it with ``make service``; see docs/building-a-service.md.
"""
