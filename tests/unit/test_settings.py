"""Settings: resource names come from the environment or fail loudly; tunables keep their defaults."""

import pytest
from bizline.settings import RESOURCE_FIELDS, MissingSetting, Settings, environment_variable


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No settings variable at all, whatever the shell or another test set."""
    for field in Settings.model_fields:
        monkeypatch.delenv(environment_variable(field), raising=False)


@pytest.mark.usefixtures("bare_environment")
def test_reading_a_resource_name_the_environment_lacks_names_the_variable():
    # Given an environment that names no table
    settings = Settings()
    # When the code reads the messages table's name
    with pytest.raises(MissingSetting) as raised:
        _ = settings.messages_table
    # Then the error names the variable to set
    assert raised.value.variable == "MESSAGES_TABLE"
    assert "MESSAGES_TABLE" in str(raised.value)


@pytest.mark.usefixtures("bare_environment")
def test_an_empty_resource_name_is_as_missing_as_an_absent_one(monkeypatch: pytest.MonkeyPatch):
    # Given a queue variable that is set but empty
    monkeypatch.setenv("DELIVERY_QUEUE_URL", "")
    # Then reading it fails, naming it
    with pytest.raises(MissingSetting, match="DELIVERY_QUEUE_URL"):
        _ = Settings().delivery_queue_url


@pytest.mark.usefixtures("bare_environment")
def test_no_resource_name_has_a_default():
    # Given an environment that names nothing
    settings = Settings()
    # Then every table, queue, bucket and secret name fails when read
    assert {"messages_table", "send_queue_url", "verification_documents_bucket", "meta_secret_name"} <= RESOURCE_FIELDS
    for field in RESOURCE_FIELDS:
        with pytest.raises(MissingSetting, match=environment_variable(field)):
            getattr(settings, field)


@pytest.mark.usefixtures("bare_environment")
def test_a_resource_name_in_the_environment_is_read_as_given(monkeypatch: pytest.MonkeyPatch):
    # Given the environment names the messages table
    monkeypatch.setenv("MESSAGES_TABLE", "bizline-prod-MessagesTable-1A2B")
    # Then that is the name read, and the other names stay missing
    settings = Settings()
    assert settings.messages_table == "bizline-prod-MessagesTable-1A2B"
    with pytest.raises(MissingSetting):
        _ = settings.customers_table


@pytest.mark.usefixtures("bare_environment")
def test_tunables_keep_their_defaults():
    # Given an environment that sets no tunable
    settings = Settings()
    # Then each has its documented default
    assert settings.meta_graph_api_version == "v21.0"
    assert settings.meta_graph_api_url == "https://graph.facebook.com"
    assert settings.sends_per_second_per_number == 80.0
    assert settings.allow_http_callbacks is False
    assert settings.max_body_bytes == 64 * 1024
