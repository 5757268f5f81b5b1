"""Insights: the student dashboard and its predicted board score, the parent view, the
admin dashboard, and the class leaderboards with their recorded refreshes."""
