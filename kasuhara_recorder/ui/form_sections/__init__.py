"""The sections of the incident form (事案記録票), one widget per module, each loading its own
fields from an IncidentDraft and reading them back (see section.py); ui/incident_form.py is the
window that holds them, autosaves and submits."""
