"""The intervention ladder as recorded work: order holds asked of partners, referrals to police units with their
acknowledgements and outcomes, follow-up check-ins. What to say and whom to call is decided in ``actions`` and
``jurisdictions`` (pure); this folder is where those decisions become rows, deliveries and answers."""
