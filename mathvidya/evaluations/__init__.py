"""Evaluation of written answers: the SLA clock, assignment and marking."""
