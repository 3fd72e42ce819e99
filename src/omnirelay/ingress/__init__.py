"""What providers report: inbound messages and status reports, stored before acknowledging."""
