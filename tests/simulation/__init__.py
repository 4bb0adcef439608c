"""A goal-driven, agenda-based user simulator that talks to the real dialog engine."""
