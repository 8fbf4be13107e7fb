"""What a developer's own recordings say of their work (`codetape stats`): time, languages, whose work."""
