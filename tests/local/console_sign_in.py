"""A team member or reviewer signs in to the console's user pool on a local platform, as the console does."""

import boto3

from local.platform import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, LocalPlatform
from local.template import REGION


def console_id_token(platform: LocalPlatform, email: str, password: str) -> str:
    """The ID token Cognito hands the console for a password sign-in (USER_PASSWORD_AUTH on its app client)."""
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=platform.endpoint,
        region_name=REGION,
        aws_access_key_id=LOCAL_ACCESS_KEY,
        aws_secret_access_key=LOCAL_SECRET_KEY,
    )
    answer = cognito.initiate_auth(
        ClientId=platform.console_config.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return answer["AuthenticationResult"]["IdToken"]
