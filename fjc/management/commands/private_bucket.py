"""Make the private files' bucket when it is missing (the "scale" compose profile's one-shot
``bucket`` service). Idempotent: an existing bucket is left as it is. Refuses when the
private files are not in a bucket (FJC_S3_BUCKET unset)."""

from typing import Any

from botocore.exceptions import ClientError
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the S3-compatible bucket of the private files when it does not exist."

    def handle(self, *args: Any, **options: Any) -> None:
        storage: Any = storages["default"]
        bucket_name = getattr(storage, "bucket_name", None)
        if not bucket_name:
            raise CommandError("The private files are not in a bucket: set FJC_S3_BUCKET.")
        client = storage.connection.meta.client
        try:
            client.head_bucket(Bucket=bucket_name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"}:
                raise CommandError(f"The bucket {bucket_name} cannot be used: {error}") from error
        else:
            self.stdout.write(f"The bucket {bucket_name} exists.")
            return
        region = client.meta.region_name
        extra = (
            {"CreateBucketConfiguration": {"LocationConstraint": region}}
            if region and region != "us-east-1"
            else {}
        )
        # No ACL and no policy: the bucket and its objects are private to the account.
        client.create_bucket(Bucket=bucket_name, **extra)
        self.stdout.write(f"The bucket {bucket_name} was created.")
