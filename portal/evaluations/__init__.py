"""好差评: ratings of finished tasks, applications and appeals, and the follow-up of bad reviews."""
