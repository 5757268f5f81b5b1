"""Exams: generation from templates, taking, MCQ scoring, answer sheets and results."""
