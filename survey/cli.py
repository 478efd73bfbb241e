"""Thin click commands that call services (registered in create_app)."""

commands: list = []
