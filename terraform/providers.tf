provider "aws" {
  region = var.region

  # Refuse to run against any other account: a wrong profile fails at plan time
  # instead of creating a second cluster somewhere else.
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = local.tags
  }
}

# Billing metrics exist only in us-east-1, so the billing alarms and their SNS topic
# live there whatever region the cluster is in.
provider "aws" {
  alias  = "billing"
  region = "us-east-1"

  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = local.tags
  }
}
