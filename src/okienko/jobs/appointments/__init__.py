"""Appointments at the county labour office: schedules, free slots, bookings, reminders (issue 19, item 6)."""
