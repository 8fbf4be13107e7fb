"""The issuer: a service apart from the receiver (a works council's or HR's) that knows who may contribute
and never what they contributed. It blind-signs members' per-episode keys (RFC 9474), at most a quota per
member and month, and publishes one public record that anyone can check authorisations against.

    errors.py   IssuerError and its refusals
    state.py    the issuer's folder: identity key, one RSA key per month, the public record
    members.py  SQLite: members, one-time enrolment secrets and credentials (hashed), counts per month
    server.py   `codetape issuer serve`: enrolment and authorisation over HTTP

It imports the member side's formats from consent/ (authorisation.py, blindrsa.py, enrol.py's paths) and
nothing of episodes or datasets: it never sees one.
"""
