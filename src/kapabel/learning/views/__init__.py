"""The learning pages, split by who uses them: the catalogue (everyone), "Min læring" (the person),
the team pages (managers), cohort administration (HR) and the actions on one enrolment."""
