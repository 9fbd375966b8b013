"""Telling clients (and staff) what happened, on the channel they chose (ADR 0053).

Events of other apps (a case registered, a question for the client, a callback booked, a knowledge
article due for review …) become :class:`~okienko.notifications.models.Notification` rows: one per
event, recipient and channel, rendered from a template at once and sent by a worker through the
shared work queue. Channels plug in through :mod:`okienko.notifications.transports`.
"""
