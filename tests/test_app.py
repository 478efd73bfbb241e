"""The factory, its configuration and the migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from survey import create_app
from survey.extensions import db


def test_migrations_build_exactly_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_production_refuses_to_start_without_a_secret(tmp_path):
    with pytest.raises(RuntimeError, match="SURVEY_SECRET_KEY must be set"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    monkeypatch.setenv("SURVEY_BASE_URL", "https://survey.example.cn/")
    monkeypatch.setenv("SURVEY_ENV", "production")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")
    assert app.config["BASE_URL"] == "https://survey.example.cn"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_secret_is_random_and_kept_in_the_instance_folder(tmp_path):
    from survey.config import load_config

    class Fake:
        config: dict = {}
        instance_path = str(tmp_path)

    first, second = Fake(), Fake()
    for fake in (first, second):
        fake.config = _Config()
        load_config(fake)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_test_mapping_replaces_instance_file_and_environment(monkeypatch, tmp_path):
    from survey.config import load_config

    monkeypatch.setenv("SURVEY_BASE_URL", "https://from-the-environment.example")

    class Fake:
        config = None
        instance_path = str(tmp_path)

    fake = Fake()
    fake.config = _Config(instance={"BASE_URL": "https://from-the-instance-file.example"})
    load_config(fake, {"SECRET_KEY": "test", "BASE_URL": "http://survey.test"})
    assert fake.config["BASE_URL"] == "http://survey.test"
    fake.config = _Config(instance={"BASE_URL": "https://from-the-instance-file.example"})
    load_config(fake)
    assert fake.config["BASE_URL"] == "https://from-the-environment.example"
    monkeypatch.delenv("SURVEY_BASE_URL")
    fake.config = _Config(instance={"BASE_URL": "https://from-the-instance-file.example"})
    load_config(fake)
    assert fake.config["BASE_URL"] == "https://from-the-instance-file.example"


class _Config(dict):
    def __init__(self, instance=None):
        super().__init__()
        self.instance = instance or {}

    def from_object(self, obj):
        self.update({k: getattr(obj, k) for k in dir(obj) if k.isupper()})

    def from_pyfile(self, _name, silent=False):
        self.update(self.instance)
        return bool(self.instance)
