"""Reaching people: which alerts a report raises and when they escalate, who holds each role, the outbox dispatcher and where each person can be reached."""
