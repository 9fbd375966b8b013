"""Trainings and job fairs with registration, and their announcements to matching job seekers
(issue 19, items 6 and 7)."""
