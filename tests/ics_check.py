#!/usr/bin/env python3
"""Independent check of the planner's .ics output with the `icalendar` package.

Usage: python3 tests/ics_check.py FILE.ics [EXPECTED.json]

Without EXPECTED it checks the RFC 5545 framing (CRLF, folding at 75
octets, VERSION, PRODID, unique UIDs, UTC DTSTAMP, floating DTSTART/DTEND).
With EXPECTED (written by tests/timeline.rs) it also compares every event
field by field. Exit status 0 on success, 1 with a message on the first
difference. Needs: pip install icalendar
"""

import datetime as dt
import json
import sys

from icalendar import Calendar


def fail(message):
    print(f"ics_check: {message}", file=sys.stderr)
    sys.exit(1)


def check_framing(raw):
    if not raw.endswith(b"\r\n"):
        fail("file does not end with CRLF")
    for number, line in enumerate(raw.split(b"\r\n")[:-1], start=1):
        if b"\n" in line or b"\r" in line:
            fail(f"line {number}: bare CR or LF")
        if len(line) > 75:
            fail(f"line {number}: {len(line)} octets, more than 75")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            fail(f"line {number}: folding split a UTF-8 character")


def value(component, name):
    prop = component.get(name)
    return None if prop is None else prop.dt


def check_event(event, uids):
    uid = str(event.get("UID", ""))
    if not uid or uid in uids:
        fail(f"missing or duplicate UID {uid!r}")
    uids.add(uid)
    stamp = value(event, "DTSTAMP")
    if not isinstance(stamp, dt.datetime) or stamp.utcoffset() != dt.timedelta(0):
        fail(f"{uid}: DTSTAMP {stamp!r} is not a UTC date-time")
    start, end = value(event, "DTSTART"), value(event, "DTEND")
    if isinstance(start, dt.datetime):
        if start.tzinfo is not None or end is None or end.tzinfo is not None:
            fail(f"{uid}: session times must be floating (no time zone)")
    elif not isinstance(start, dt.date):
        fail(f"{uid}: DTSTART missing")
    if end is not None and end <= start:
        fail(f"{uid}: DTEND {end} not after DTSTART {start}")


def iso(v):
    return v.strftime("%Y-%m-%dT%H:%M") if isinstance(v, dt.datetime) else v.isoformat()


def compare(events, expected):
    if len(events) != len(expected["events"]):
        fail(f"{len(events)} events, expected {len(expected['events'])}")
    for event, want in zip(events, expected["events"]):
        uid = str(event.get("UID"))
        got = {
            "uid": uid,
            "dtstart": iso(value(event, "DTSTART")),
            "dtend": iso(value(event, "DTEND")),
            "summary": str(event.get("SUMMARY")),
            "location": str(event.get("LOCATION")),
            "status": str(event.get("STATUS")) if event.get("STATUS") else None,
        }
        for key in got:
            if key in want and got[key] != want[key]:
                fail(f"{uid}: {key} is {got[key]!r}, expected {want[key]!r}")
        description = str(event.get("DESCRIPTION"))
        for part in want.get("descriptionContains", []):
            if part not in description:
                fail(f"{uid}: DESCRIPTION lacks {part!r}:\n{description}")
    stamp = expected.get("dtstamp")
    if stamp:
        for event in events:
            if value(event, "DTSTAMP").strftime("%Y-%m-%dT%H:%M") != stamp:
                fail(f"DTSTAMP differs from {stamp}")


def main():
    if len(sys.argv) not in (2, 3):
        fail("usage: ics_check.py FILE.ics [EXPECTED.json]")
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    check_framing(raw)
    cal = Calendar.from_ical(raw.decode("utf-8"))
    if str(cal.get("VERSION")) != "2.0" or not str(cal.get("PRODID", "")):
        fail("VERSION:2.0 and PRODID are required")
    events = list(cal.walk("VEVENT"))
    if not events:
        fail("no VEVENT")
    uids = set()
    for event in events:
        check_event(event, uids)
    if len(sys.argv) == 3:
        with open(sys.argv[2], encoding="utf-8") as f:
            compare(events, json.load(f))
    print(f"ics_check: {len(events)} events OK")


if __name__ == "__main__":
    main()
